import Foundation

/// Reading of the input files of the import commands.
enum InputFile {
    /// Returns the bytes of the file at `path`, which `kind` names in messages, such as `CSV file`.
    ///
    /// Throws a ``CommandFailure`` with exit code 66 when the file does not exist and 74 when it
    /// is a folder or cannot be read.
    static func contents(of path: String, kind: String) throws(CommandFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, kind: kind, errno: errno) }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, kind: kind, errno: errno) }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw CommandFailure("'\(path)' is a folder; pass the path of the \(kind) instead", code: .ioError)
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
        }
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
