import CLMDB
import Foundation

/// A finished backup: its folder and the state of the log it contains.
public struct BackupSummary: Equatable, Sendable {
    /// The absolute path of the backup folder.
    public var path: String
    /// The copy's last position and chain hash, read from the copy itself. They equal the
    /// source's at that position, because the copy is one consistent snapshot.
    public var head: LogHead
    /// The size of the copy's data file in bytes.
    public var bytes: Int64
}

extension Ledger {
    /// Writes a compacted, consistent copy of the ledger into the folder `destination` while
    /// other threads and processes keep appending, and returns the copy's head.
    ///
    /// `destination` must be missing, then it is created with mode 0700, or an empty folder.
    /// The copy writes every entry of every table from one read snapshot into a new LMDB
    /// environment (`data.mdb` and `lock.mdb`, mode 0600), committed durably, with its folder
    /// synced. Like ``compact(path:options:)``, it copies entries rather than pages, so that no
    /// deleted data, such as the data key of a customer erased before the backup, reaches it.
    /// The copy is a ledger of its own: open it in place of the source to restore it. It needs
    /// the same master key.
    ///
    /// - throws: ``StorageError`` when `destination` is a file, a folder that is not empty, or
    ///   cannot be created or written, and ``LMDBError`` when the copy fails. In every case the
    ///   files and the folder that the backup created are removed again.
    @available(*, noasync)
    public func backup(to destination: String) throws -> BackupSummary {
        guard !destination.isEmpty else {
            throw StorageError(description: "the backup path is empty; pass the path of a new folder")
        }
        let folder = URL(fileURLWithPath: destination).standardizedFileURL.path
        var target = try BackupTarget(folder: folder)
        do {
            target.createdDataFile = true
            target.createdLockFile = true
            let head = try copyLive(into: folder)
            try target.syncFolder()
            var info = stat()
            let bytes = stat(target.dataFile, &info) == 0 ? Int64(info.st_size) : 0
            return BackupSummary(path: folder, head: head, bytes: bytes)
        } catch {
            target.removeCreatedFiles()
            throw error
        }
    }
}

/// The backup folder and the files a backup created in it, so that a failed backup leaves nothing behind.
private struct BackupTarget {
    let folder: String
    let createdFolder: Bool
    var createdDataFile = false
    var createdLockFile = false

    var dataFile: String { folder + "/data.mdb" }

    /// Checks that `folder` is missing or empty, and creates it with mode 0700 when missing.
    init(folder: String) throws {
        self.folder = folder
        var info = stat()
        if stat(folder, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw StorageError(description: "'\(folder)' is a file; pass the path of a new or empty folder for the backup")
            }
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch {
                throw StorageError(description: "cannot read the backup folder '\(folder)': \(error.localizedDescription)")
            }
            guard entries.isEmpty else {
                throw StorageError(
                    description: "the backup folder '\(folder)' is not empty (it contains \(entries.count) \(entries.count == 1 ? "entry" : "entries")); pass a new or empty folder, so that no backup overwrites another")
            }
            createdFolder = false
            return
        }
        let code = errno
        guard code == ENOENT else {
            throw StorageError(description: "cannot use the backup folder '\(folder)': \(String(cString: strerror(code)))")
        }
        let parent = (folder as NSString).deletingLastPathComponent
        guard mkdir(folder, 0o700) == 0 else {
            let failure = errno
            let hint = failure == ENOENT ? "; create '\(parent)' first" : "; check the permissions of '\(parent)'"
            throw StorageError(
                description: "cannot create the backup folder '\(folder)': \(String(cString: strerror(failure)))\(hint)")
        }
        // mkdir applies the umask, which may clear more bits than 0700 leaves.
        chmod(folder, 0o700)
        createdFolder = true
    }

    /// Syncs the folder, so that the new file's directory entry is durable too.
    func syncFolder() throws {
        try CustomerLedger.syncFolder(folder)
    }

    /// Removes what the backup created: the files, and the folder when the backup made it.
    func removeCreatedFiles() {
        if createdDataFile { unlink(dataFile) }
        if createdLockFile { unlink(folder + "/lock.mdb") }
        if createdFolder { rmdir(folder) }
    }
}

/// Syncs the folder at `path` to disk, so that the entries created or renamed in it are durable.
func syncFolder(_ path: String) throws {
    let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw StorageError(description: "cannot open '\(path)' to sync it: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
        throw StorageError(description: "cannot sync '\(path)' to disk: \(String(cString: strerror(errno)))")
    }
}
