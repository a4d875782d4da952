import CustomerLedger
import Foundation

/// Reading of program files for `ledger program set` and `ledger simulate`.
enum ProgramFile {
    /// The largest program file read. `program show --json` writes a program with 10,000 SKU
    /// multipliers in about 290 KB.
    static let maximumSize = 16 << 20

    /// Reads the program document at `path`, parses it and validates the program.
    ///
    /// Throws a ``CommandFailure`` whose message starts with the path: exit code 66 when the
    /// file does not exist, 74 when it cannot be read, 65 when it is not a valid program.
    static func load(_ path: String) throws(CommandFailure) -> LoyaltyProgram {
        let bytes = try readBytes(path)
        let program: LoyaltyProgram
        do {
            program = try ProgramDocument.parse(bytes)
        } catch {
            throw CommandFailure("\(path): \(error)", code: .dataError)
        }
        do {
            try program.validate()
        } catch {
            throw CommandFailure("\(path): \(error)", code: .dataError)
        }
        return program
    }

    /// Returns the bytes of the regular file at `path`.
    static func readBytes(_ path: String) throws(CommandFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, errno: errno) }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, errno: errno) }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw CommandFailure("'\(path)' is a folder; pass the path of a program file (JSON)", code: .ioError)
        }
        if info.st_mode & S_IFMT == S_IFREG, info.st_size > maximumSize {
            throw CommandFailure(
                "'\(path)' is \(Formatting.grouped(info.st_size)) bytes; a program file may be at most \(Formatting.grouped(maximumSize)) bytes",
                code: .dataError)
        }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            // A pipe or device reports no size, so its length is checked while reading.
            guard bytes.count <= maximumSize else {
                throw CommandFailure(
                    "'\(path)' is longer than \(Formatting.grouped(maximumSize)) bytes, the largest program file accepted",
                    code: .dataError)
            }
        }
    }

    private static func failure(_ path: String, errno code: Int32) -> CommandFailure {
        switch code {
        case ENOENT:
            return CommandFailure("program file '\(path)' not found; check the path", code: .notFound)
        case ENOTDIR:
            return CommandFailure(
                "program file '\(path)' not found: a component of the path is not a folder", code: .notFound)
        case EACCES, EPERM:
            return CommandFailure(
                "permission denied reading program file '\(path)'; make it readable or run as a user who can read it",
                code: .ioError)
        default:
            return CommandFailure(
                "failed to read program file '\(path)': \(String(cString: strerror(code)))", code: .ioError)
        }
    }
}
