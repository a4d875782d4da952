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
    /// The copy is LMDB's compacting copy (`mdb_env_copyfd2` with `MDB_CP_COMPACT`) of one read
    /// snapshot into `data.mdb`, created with mode 0600 and synced to disk with its folder.
    /// The copy is then opened read-only to read its head, which creates its `lock.mdb` (mode
    /// 0600). The copy is a ledger of its own: open it in place of the source to restore it.
    ///
    /// While the copy runs, an append of this process that must grow the map waits for it.
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
            let descriptor = try target.createDataFile()
            defer { close(descriptor) }
            try copy(to: descriptor, path: target.dataFile)
            try BackupTarget.sync(descriptor, path: target.dataFile)
            try target.syncFolder()

            // Opening the copy creates its lock file, which a failure must remove too.
            target.createdLockFile = true
            let copy = try Ledger(path: folder, options: Options(readOnly: true))
            let head = try copy.head()
            var info = stat()
            let bytes = fstat(descriptor, &info) == 0 ? Int64(info.st_size) : 0
            return BackupSummary(path: folder, head: head, bytes: bytes)
        } catch {
            target.removeCreatedFiles()
            throw error
        }
    }

    /// Runs the compacting copy, again from the start when another process grew the map
    /// (`MDB_MAP_RESIZED`), after adopting the new size.
    private func copy(to descriptor: Int32, path: String) throws {
        var attempts = 0
        while true {
            do {
                try environment.copyCompacted(to: descriptor)
                return
            } catch let error as LMDBError where error.code == MDB_MAP_RESIZED && attempts < 3 {
                attempts += 1
                // A read transaction adopts the new map size.
                try environment.read { _ in }
                guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
                    throw StorageError(
                        description: "cannot restart the backup in '\(path)': \(String(cString: strerror(errno)))")
                }
            }
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
                    description: "the backup folder '\(folder)' is not empty (it contains \(entries.count) entries); pass a new or empty folder, so that no backup overwrites another")
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

    /// Creates `data.mdb` with mode 0600, failing when it exists, and returns its descriptor.
    mutating func createDataFile() throws -> Int32 {
        let descriptor = open(dataFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StorageError(
                description: "cannot create '\(dataFile)': \(String(cString: strerror(errno))); check that the folder is writable")
        }
        createdDataFile = true
        fchmod(descriptor, 0o600)
        return descriptor
    }

    static func sync(_ descriptor: Int32, path: String) throws {
        guard fsync(descriptor) == 0 else {
            throw StorageError(description: "cannot sync '\(path)' to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Syncs the folder, so that the new file's directory entry is durable too.
    func syncFolder() throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError(description: "cannot open '\(folder)' to sync it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        try Self.sync(descriptor, path: folder)
    }

    /// Removes what the backup created: the files, and the folder when the backup made it.
    func removeCreatedFiles() {
        if createdDataFile { unlink(dataFile) }
        if createdLockFile { unlink(folder + "/lock.mdb") }
        if createdFolder { rmdir(folder) }
    }
}
