import Foundation

/// Reading of the input files of the import commands.
enum InputFile {
    /// The largest file read, 1 GiB. An import keeps the file and every event built from it in
    /// memory at once, several times the file's size, so a larger file is rejected before it is read.
    static let maximumBytes = 1 << 30

    /// Returns the bytes of the file at `path`, which `kind` names in messages, such as `CSV file`.
    ///
    /// Throws a ``CommandFailure`` with exit code 66 when the file does not exist, 74 when it
    /// is a folder or cannot be read, and 65 when it is larger than `maximumBytes`.
    static func contents(of path: String, kind: String, maximumBytes: Int = maximumBytes) throws(CommandFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, kind: kind, errno: errno) }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, kind: kind, errno: errno) }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw CommandFailure("'\(path)' is a folder; pass the path of the \(kind) instead", code: .ioError)
        }
        if Int(info.st_size) > maximumBytes {
            throw tooLarge(path, kind: kind, size: Formatting.grouped(info.st_size), maximumBytes: maximumBytes)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(0, Int(info.st_size)))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in read(descriptor, buffer.baseAddress, buffer.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, kind: kind, errno: errno)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            // A pipe or a file that grows has no size to check in advance.
            if bytes.count > maximumBytes {
                throw tooLarge(path, kind: kind, size: "more than \(Formatting.grouped(maximumBytes))", maximumBytes: maximumBytes)
            }
        }
    }

    private static func tooLarge(_ path: String, kind: String, size: String, maximumBytes: Int) -> CommandFailure {
        CommandFailure(
            "the \(kind) '\(path)' has \(size) bytes; the limit is \(Formatting.grouped(maximumBytes)) bytes, because an import keeps the whole file in memory; split it into smaller files and import each; nothing was written",
            code: .dataError)
    }

    private static func failure(_ path: String, kind: String, errno code: Int32) -> CommandFailure {
        switch code {
        case ENOENT, ENOTDIR:
            return CommandFailure("\(kind) '\(path)' not found; check the path", code: .notFound)
        case EACCES, EPERM:
            return CommandFailure(
                "permission denied reading the \(kind) '\(path)'; make it readable or run as a user who can read it",
                code: .ioError)
        default:
            return CommandFailure("failed to read the \(kind) '\(path)': \(String(cString: strerror(code)))", code: .ioError)
        }
    }
}
