import CLMDB
import Foundation

/// A handle to a named LMDB database inside an ``Environment``.
struct Database: Sendable, Equatable {
    let handle: MDB_dbi
}

/// An open LMDB environment: one memory-mapped database folder with its named databases.
///
/// One writer and many readers may use it at once, from threads of this process and from
/// other processes. The map grows by itself when a write transaction fills it.
///
/// > Important: Transactions live only inside the synchronous closures passed to ``read(_:)``
/// > and ``write(_:)``, so no transaction can cross an `await`. Never call ``write(_:)`` from
/// > inside a ``read(_:)`` closure on the same thread: growing the map waits for every reader
/// > of this process to finish.
final class Environment: @unchecked Sendable {
    let pointer: OpaquePointer
    let path: String
    private let writerLock = NSLock()
    private var resizeLock = pthread_rwlock_t()
    /// Thread-specific count of the ``read(_:)`` calls running on the current thread. A nested
    /// read must not take `resizeLock` again behind a waiting resize, which would deadlock.
    private let readDepthKey: pthread_key_t
    private var databases: [String: Database] = [:]
    private let databasesLock = NSLock()

    /// Opens or creates the environment in the folder at `path` (`mdb_env_open`).
    ///
    /// The folder is created with mode 0700 and the files with mode 0600 when missing.
    /// - parameters:
    ///   - initialMapSize: the map size in bytes for a new environment. The map grows when full.
    ///   - readOnly: opens with `MDB_RDONLY`, so every write fails.
    ///   - clearingStaleReaders: false skips `mdb_reader_check`, so that diagnostics can list the
    ///     reader slots of dead processes before clearing them.
    /// - throws: ``LMDBError`` naming the call that failed, or ``StorageError`` when the
    ///   folder is already open in this process or no thread-specific data key is left.
    init(
        path: String, maxDatabases: UInt32 = 16, initialMapSize: Int = 64 << 20, readOnly: Bool = false,
        clearingStaleReaders: Bool = true
    ) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path

        try FolderCheck.prepareFolder(absolute, create: !readOnly)

        try OpenPaths.shared.claim(absolute)
        let env: OpaquePointer
        do {
            env = try Self.openHandle(
                absolute, maxDatabases: maxDatabases, initialMapSize: initialMapSize, readOnly: readOnly)
        } catch {
            OpenPaths.shared.release(absolute)
            throw error
        }

        var depthKey = pthread_key_t()
        do {
            try FolderCheck.checkFileLength(env, folder: absolute)
            if clearingStaleReaders {
                var cleared: Int32 = 0
                try check(mdb_reader_check(env, &cleared), "mdb_reader_check")
            }
            let keyCode = pthread_key_create(&depthKey, nil)
            guard keyCode == 0 else {
                throw StorageError(
                    description: "cannot open the ledger at '\(absolute)': pthread_key_create failed with code \(keyCode); close ledgers that are no longer used")
            }
        } catch {
            mdb_env_close(env)
            OpenPaths.shared.release(absolute)
            throw error
        }

        pointer = env
        self.path = absolute
        readDepthKey = depthKey

        // Writer preference: a resize waiting for the lock blocks new readers. Under glibc's
        // default (reader preference), a steady stream of overlapping reads could starve it.
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(&resizeLock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    /// Creates and opens an LMDB environment handle for the folder `path`.
    ///
    /// An open that fails with `MDB_INVALID` is tried once more with a new handle. Compaction
    /// swaps the ledger folder and invalidates the old lock file, so a process that was waiting
    /// on that file rejects it, while the path already leads to the new folder.
    private static func openHandle(_ path: String, maxDatabases: UInt32, initialMapSize: Int, readOnly: Bool) throws
        -> OpaquePointer
    {
        var attempt = 0
        while true {
            attempt += 1
            var created: OpaquePointer?
            try check(mdb_env_create(&created), "mdb_env_create")
            let env = created!
            do {
                try check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
                try check(mdb_env_set_maxreaders(env, 256), "mdb_env_set_maxreaders")
                try check(mdb_env_set_mapsize(env, initialMapSize), "mdb_env_set_mapsize")
                let flags = UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) : 0)
                let opened = mdb_env_open(env, path, flags, 0o600)
                guard opened == 0 else { throw LMDBError(code: opened, call: "mdb_env_open", path: path) }
                return env
            } catch let error as LMDBError where error.code == MDB_INVALID && attempt == 1 {
                mdb_env_close(env)
            } catch {
                mdb_env_close(env)
                throw error
            }
        }
    }

    deinit {
        mdb_env_close(pointer)
        pthread_rwlock_destroy(&resizeLock)
        pthread_key_delete(readDepthKey)
        OpenPaths.shared.release(path)
    }

    /// Opens a named database, creating it in a write transaction when `create` is true.
    @available(*, noasync)
    func database(_ name: String, create: Bool) throws -> Database {
        databasesLock.lock()
        defer { databasesLock.unlock() }
        if let open = databases[name] { return open }
        let database: Database
        if create {
            database = try write { txn in try txn.openDatabase(name, create: true) }
        } else {
            // The read transaction must commit, not abort: mdb_txn_abort closes the handles that
            // mdb_dbi_open returned in it, so later calls would fail with EINVAL.
            pthread_rwlock_rdlock(&resizeLock)
            defer { pthread_rwlock_unlock(&resizeLock) }
            let txn = try begin(flags: UInt32(MDB_RDONLY))
            do {
                database = try Transaction(pointer: txn).openDatabase(name, create: false)
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
            try check(mdb_txn_commit(txn), "mdb_txn_commit")
        }
        databases[name] = database
        return database
    }

    /// Runs `body` in a read-only transaction on one consistent snapshot.
    ///
    /// Wraps `mdb_txn_begin` with `MDB_RDONLY` and `mdb_txn_abort`. Buffers handed out by the
    /// transaction are valid only inside `body`.
    @available(*, noasync)
    func read<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        // A read nested in another read on this thread relies on the read lock that the outer
        // read took.
        let depth = Int(bitPattern: pthread_getspecific(readDepthKey))
        if depth == 0 { pthread_rwlock_rdlock(&resizeLock) }
        pthread_setspecific(readDepthKey, UnsafeRawPointer(bitPattern: depth + 1))
        defer {
            pthread_setspecific(readDepthKey, UnsafeRawPointer(bitPattern: depth))
            if depth == 0 { pthread_rwlock_unlock(&resizeLock) }
        }
        let txn = try begin(flags: UInt32(MDB_RDONLY), adoptingResize: depth == 0)
        defer { mdb_txn_abort(txn) }
        return try body(Transaction(pointer: txn))
    }

    /// Runs `body` in the single write transaction and commits it durably (`mdb_txn_commit`).
    ///
    /// When the map is full, the transaction is aborted, the map doubles and `body` runs again,
    /// so `body` must not change state outside the transaction. When `body` throws, nothing
    /// is written.
    @available(*, noasync)
    func write<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        writerLock.lock()
        defer { writerLock.unlock() }
        while true {
            pthread_rwlock_rdlock(&resizeLock)
            var txn: OpaquePointer?
            do {
                txn = try begin(flags: 0)
                let result = try body(Transaction(pointer: txn!))
                let committing = txn!
                txn = nil
                try checkCommit(mdb_txn_commit(committing))
                pthread_rwlock_unlock(&resizeLock)
                return result
            } catch let error as LMDBError where error.code == MDB_MAP_FULL {
                if let txn { mdb_txn_abort(txn) }
                pthread_rwlock_unlock(&resizeLock)
                try grow()
            } catch {
                if let txn { mdb_txn_abort(txn) }
                pthread_rwlock_unlock(&resizeLock)
                throw error
            }
        }
    }

    /// Checks the pages of the current snapshot with ``PageCheck`` and returns the damaged ones.
    ///
    /// - Complexity: O(pages) for `.all`, a few page reads for `.catalog`.
    @available(*, noasync)
    func checkPages(_ scope: PageCheck.Scope) throws -> [DamagedPage] {
        while true {
            if let problems = try read({ txn in try PageCheck.run(self, transaction: txn, scope: scope) }) {
                return problems
            }
        }
    }

    /// Throws for a failed `mdb_txn_commit`, reporting a full file system as `ENOSPC`.
    ///
    /// LMDB 0.9.24 turns a short `pwrite` of its pages into `EIO` (`mdb_page_flush`), and a
    /// file system that fills up during the write returns a short count first. So `EIO` with
    /// less than a megabyte left for this process is reported as the full disk it is.
    private func checkCommit(_ code: Int32) throws {
        guard code != 0 else { return }
        if code == EIO, FolderCheck.availableBytes(path).map({ $0 < 1 << 20 }) == true {
            throw LMDBError(code: ENOSPC, call: "mdb_txn_commit", path: path)
        }
        throw LMDBError(code: code, call: "mdb_txn_commit")
    }

    /// The current map size, last page number and last transaction id (`mdb_env_info`).
    var info: MDB_envinfo {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        return info
    }

    /// The page size and B-tree statistics of the main database (`mdb_env_stat`).
    var stat: MDB_stat {
        var stat = MDB_stat()
        mdb_env_stat(pointer, &stat)
        return stat
    }

    /// Begins a transaction, adopting a map that another process grew (`MDB_MAP_RESIZED`).
    ///
    /// - parameter adoptingResize: false inside a nested read, whose outer transaction must not
    ///   see the map move, so `MDB_MAP_RESIZED` is thrown there as an ``LMDBError``.
    private func begin(flags: UInt32, adoptingResize: Bool = true) throws -> OpaquePointer {
        var txn: OpaquePointer?
        var code = mdb_txn_begin(pointer, nil, flags, &txn)
        if code == MDB_MAP_RESIZED && adoptingResize {
            pthread_rwlock_unlock(&resizeLock)
            pthread_rwlock_wrlock(&resizeLock)
            let adopted = mdb_env_set_mapsize(pointer, 0)
            pthread_rwlock_unlock(&resizeLock)
            pthread_rwlock_rdlock(&resizeLock)
            try check(adopted, "mdb_env_set_mapsize")
            code = mdb_txn_begin(pointer, nil, flags, &txn)
        }
        try check(code, "mdb_txn_begin")
        return txn!
    }

    /// Doubles the map size once no transaction of this process is open.
    private func grow() throws {
        pthread_rwlock_wrlock(&resizeLock)
        defer { pthread_rwlock_unlock(&resizeLock) }
        let current = info.me_mapsize
        try check(mdb_env_set_mapsize(pointer, current * 2), "mdb_env_set_mapsize")
    }
}

/// An error of the storage layer that LMDB itself does not report.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The database folders open in this process, since LMDB forbids opening one environment twice.
private final class OpenPaths: @unchecked Sendable {
    static let shared = OpenPaths()
    private var paths: Set<String> = []
    private let lock = NSLock()

    func claim(_ path: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard paths.insert(path).inserted else {
            throw StorageError(
                description: "the ledger at '\(path)' is already open in this process; reuse the open instance")
        }
    }

    func release(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }
}

/// Checks of the database folder and file made before and after `mdb_env_open`.
enum FolderCheck {
    /// Checks that `path` is a folder, or creates it with mode 0700 (and missing parents) when
    /// `create` is true, turning file-system failures into messages that name the path.
    static func prepareFolder(_ path: String, create: Bool) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw StorageError(description: "'\(path)' is a file, not a ledger folder; pass the path of a folder")
            }
            try rejectEmptyDataFile(in: path)
            return
        }
        let code = errno
        guard code == ENOENT, create else {
            throw StorageError(
                description: "cannot open the ledger folder '\(path)': \(String(cString: strerror(code)))")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try prepareFolder(parent, create: true) }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            let failure = errno
            throw StorageError(
                description: "cannot create the ledger folder '\(path)': \(String(cString: strerror(failure))); check the permissions of '\(parent)'")
        }
    }

    /// The bytes that this process may still write on the file system of `path`: the free
    /// blocks for root, which may use the blocks reserved for it, else the available ones.
    static func availableBytes(_ path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let blocks = geteuid() == 0 ? info.f_bfree : info.f_bavail
        return UInt64(blocks) * UInt64(info.f_frsize)
    }

    /// Rejects an empty `data.mdb`, which LMDB would open as a new ledger when writable. LMDB
    /// writes the meta pages as it creates the file, so only a crash at that moment or a
    /// truncation leaves it empty.
    static func rejectEmptyDataFile(in folder: String) throws {
        var info = stat()
        let file = folder + "/data.mdb"
        guard stat(file, &info) == 0, info.st_size == 0 else { return }
        throw StorageError(
            description: "the database file '\(file)' is empty: it was truncated, or the ledger was never written; restore the ledger from a backup, or remove the folder to start a new ledger")
    }

    /// Rejects a data file shorter than the pages its meta page counts, which a partial copy or a
    /// full disk can leave: reading past the end of a mapped file kills the process with SIGBUS.
    static func checkFileLength(_ env: OpaquePointer, folder: String) throws {
        var info = MDB_envinfo()
        var pages = MDB_stat()
        mdb_env_info(env, &info)
        mdb_env_stat(env, &pages)
        let needed = (Int64(info.me_last_pgno) + 1) * Int64(pages.ms_psize)
        let file = folder + "/data.mdb"
        var fileInfo = stat()
        guard stat(file, &fileInfo) == 0 else { return }
        if Int64(fileInfo.st_size) < needed {
            throw StorageError(
                description: "the database file '\(file)' is truncated: it has \(fileInfo.st_size) bytes but its pages need \(needed); restore the ledger from a backup")
        }
    }
}
