import Foundation

/// A file that stores one log position, the last event a consumer has processed, as decimal
/// digits and a newline.
///
/// ``write(_:)`` writes a temporary file beside it and renames it over the file, so a process
/// killed at any instant leaves either the old or the new position, never a partial one. The
/// temporary file is not synced, so after a power failure or an operating system crash the
/// file can hold an older position than the last one written.
struct CheckpointFile: Sendable {
    let path: String

    /// The file written before the rename, in the same folder so that the rename is atomic.
    var temporaryPath: String { path + ".tmp" }

    /// Reads the stored position, or returns nil when the file does not exist.
    ///
    /// - throws: ``CommandFailure`` with exit code 65 when the file contains anything but one
    ///   decimal position, and 74 when it cannot be read.
    func read() throws -> UInt64? {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw CommandFailure(
                "cannot read the checkpoint file '\(path)': \(error.localizedDescription)", code: .ioError)
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let position = UInt64(text) else {
            throw CommandFailure(
                "invalid checkpoint file '\(path)': expected one position such as 42, found '\(text.prefix(40))'; "
                    + "fix the file, or delete it to start from --after",
                code: .dataError)
        }
        return position
    }

    /// Replaces the stored position with `position` atomically (write a temporary file, then
    /// `rename(2)` it over the file).
    ///
    /// - throws: ``CommandFailure`` with exit code 74 when the temporary file cannot be written
    ///   or renamed. The file then still contains the previous position.
    func write(_ position: UInt64) throws {
        // O_NOFOLLOW: a symbolic link planted at the temporary path is not followed to another file.
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create", temporaryPath, errno) }
        do {
            try FileDescriptorOutput.writeAll(Array("\(position)\n".utf8), to: descriptor)
        } catch let error as POSIXError {
            close(descriptor)
            throw failure("cannot write", temporaryPath, error.code.rawValue)
        }
        guard close(descriptor) == 0 else { throw failure("cannot write", temporaryPath, errno) }
        guard rename(temporaryPath, path) == 0 else { throw failure("cannot replace", path, errno) }
    }

    private func failure(_ action: String, _ file: String, _ code: Int32) -> CommandFailure {
        CommandFailure(
            "\(action) the checkpoint file '\(file)': \(String(cString: strerror(code))); check that its folder exists and is writable",
            code: .ioError)
    }
}

/// Unbuffered writes to a file descriptor.
enum FileDescriptorOutput {
    /// Writes every byte of `bytes` to `descriptor` with `write(2)`, retrying after a signal
    /// interrupts it and after a partial write.
    ///
    /// - throws: `POSIXError` with the `errno` of the failed `write(2)`.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += written
            }
        }
    }
}
