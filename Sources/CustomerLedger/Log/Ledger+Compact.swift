import CLMDB
import Foundation

/// A finished compaction: the ledger's folder, its head and its data file before and after.
public struct CompactionSummary: Equatable, Sendable {
    /// The absolute path of the ledger folder.
    public var path: String
    /// The last position and chain hash, the same before and after.
    public var head: LogHead
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    /// The folders that an interrupted compaction had left beside the ledger, which this one removed.
    public var removedLeftovers: [String]
}

extension Ledger {
    /// Rewrites the ledger at `path` into a fresh file that holds only live data, then swaps it
    /// in, so that deleted data, such as the data keys that erasure destroyed, appears nowhere
    /// in the database files afterwards.
    ///
    /// The copy is logical: every entry of every table is written again into a new LMDB
    /// environment. So no page of the old file is carried over, nor any stale byte that LMDB
    /// leaves in the unused part of a page. The copy is verified (``verify(progress:)``)
    /// before the swap. An exclusive lock on the old `lock.mdb` keeps other processes out from
    /// the start of the copy until the swap, which exchanges the two folders in one `renameat2`
    /// call. The old lock file is then marked invalid, so that a process that was waiting on it
    /// opens the new folder instead. Last, the old folder is removed.
    ///
    /// No other process may have the ledger open, and no `Ledger` of this process either. An
    /// interrupted compaction leaves the ledger as it was, or already swapped, plus a folder
    /// named `PATH.compacting-…`, which the next compaction removes.
    ///
    /// - parameter options: the master key, which an encrypted ledger needs as for any change.
    /// - throws: ``StorageError`` when another process has the ledger open, ``PrivacyError`` without
    ///   the master key, and ``LedgerError/brokenHashChain(_:)`` when the copy does not verify.
    @available(*, noasync)
    public static func compact(path: String, options: Options = Options()) throws -> CompactionSummary {
        var options = options
        options.readOnly = false
        // A symbolic link is followed, so that the folder it names is the one replaced.
        let folder = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: folder + "/data.mdb") else {
            throw StorageError(description: "no ledger at '\(folder)'; pass the folder of an existing ledger")
        }
        // The swap replaces the whole folder, so anything else in it would be deleted with the old one.
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0 != "data.mdb" && $0 != "lock.mdb" }.sorted()
        guard others.isEmpty else {
            throw StorageError(
                description: "the ledger folder '\(folder)' also contains \(others.map { "'\($0)'" }.joined(separator: ", ")), which compaction would delete with the old folder; move them out of the folder and compact again")
        }
        let copyFolder = folder + leftoverInfix + UUID().uuidString.prefix(8).lowercased()

        let bytesBefore = fileSize(folder + "/data.mdb")
        var ledger: Ledger? = try Ledger(path: folder, options: options)
        try ledger!.checkWritable("compacting")
        // A leftover is either a partial copy or the ledger before an earlier swap, with the freed
        // pages that compaction exists to remove. The ledger itself is always whole.
        let leftovers = try leftoverFolders(of: folder)
        for leftover in leftovers { try FileManager.default.removeItem(atPath: leftover) }
        // Held until the swap: no other process can open the ledger, so none can append to the
        // old file while it is copied.
        let lock = try ExclusiveLock(folder: folder)
        defer { lock.release() }


        let head: LogHead
        do {
            head = try ledger!.copyLive(into: copyFolder)
            try keepOwner(of: folder, on: copyFolder)
            // The copy is checked before it replaces the only copy of the ledger.
            let copy = try Ledger(path: copyFolder, options: Options(readOnly: true, masterKey: options.masterKey))
            let report = try copy.verify()
            guard report.isVerified, try copy.head() == head else {
                throw LedgerError.brokenHashChain(
                    "the compacted copy does not verify (\(report.findings.first.map { "\($0)" } ?? "its head differs")); the ledger was left as it was")
            }
            try lock.swap(folder, with: copyFolder)
        } catch {
            try? FileManager.default.removeItem(atPath: copyFolder)
            throw error
        }
        // Closing the old environment releases this process's locks on the old lock file, which
        // the swap made invalid, so a process waiting on it fails to open instead of using it.
        ledger = nil
        lock.release()
        try? FileManager.default.removeItem(atPath: copyFolder)
        return CompactionSummary(
            path: folder, head: head, bytesBefore: bytesBefore, bytesAfter: fileSize(folder + "/data.mdb"),
            removedLeftovers: leftovers)
    }

    /// The text between a ledger folder's name and the random suffix of its compaction folder.
    static let leftoverInfix = ".compacting-"

    /// Returns the compaction folders beside `folder`: its name, ``leftoverInfix`` and 8 hex digits.
    private static func leftoverFolders(of folder: String) throws -> [String] {
        let parent = (folder as NSString).deletingLastPathComponent
        let prefix = (folder as NSString).lastPathComponent + leftoverInfix
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return names.filter { name in
            guard name.hasPrefix(prefix) else { return false }
            let suffix = name.dropFirst(prefix.count)
            return suffix.count == 8 && suffix.allSatisfy { $0.isHexDigit }
        }.sorted().map { parent + "/" + $0 }
    }

    /// Gives the copy's folder and files the owner and group of the ledger folder, so that a
    /// compaction run by an administrator leaves the ledger usable by its service user.
    private static func keepOwner(of folder: String, on copy: String) throws {
        var info = stat()
        guard stat(folder, &info) == 0 else { return }
        for path in [copy, copy + "/data.mdb", copy + "/lock.mdb"] {
            var current = stat()
            guard stat(path, &current) == 0, current.st_uid != info.st_uid || current.st_gid != info.st_gid else { continue }
            guard chown(path, info.st_uid, info.st_gid) == 0 else {
                throw StorageError(
                    description: "cannot give '\(path)' the owner of '\(folder)' (uid \(info.st_uid)): \(String(cString: strerror(errno))); run the compaction as that user")
            }
        }
    }

    /// Writes every entry of every table, from one read snapshot, into a new environment in
    /// `destination`, a missing or empty folder, and returns the head of the copy.
    func copyLive(into destination: String) throws -> LogHead {
        var info = stat()
        if stat(destination, &info) == 0 {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []
            guard info.st_mode & S_IFMT == S_IFDIR, entries.isEmpty else {
                throw StorageError(description: "'\(destination)' is not a new or empty folder; pass a new folder for the copy")
            }
        }
        let source = environment.info
        let pageSize = Int(environment.stat.ms_psize)
        let used = (Int(source.me_last_pgno) + 1) * pageSize
        let target = try Environment(path: destination, initialMapSize: max(64 << 20, used + used / 4))
        return try environment.read { txn in
            for name in Schema.tableNames {
                let from = try environment.database(name, create: false)
                let to = try target.database(name, create: true)
                try txn.withCursor(from) { cursor in
                    var entry = try cursor.first()
                    // Commits in chunks, so that no transaction has too many dirty pages.
                    while entry != nil {
                        try target.write { copy in
                            var count = 0
                            while let (key, value) = entry, count < 20_000 {
                                try copy.put(to, key, value, append: true)
                                count += 1
                                entry = try cursor.next()
                            }
                        }
                    }
                }
            }
            let head = try schema.chainHead(txn)
            return LogHead(position: head.position, hash: head.hash.hex)
        }
    }
}

extension Schema {
    /// Every table of a ledger, in the order a copy writes them.
    static let tableNames = ["meta", "events", "event-ids", "hashes", "data-keys", "customers.0", "customers.1"]
}

private func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
}

/// An exclusive `fcntl` lock on the first byte of a ledger's `lock.mdb`, where every process
/// with the environment open holds a shared lock (LMDB takes it exclusively only for a moment,
/// to initialize the file). This process's own shared lock is converted, so the lock is granted
/// only when no other process has the ledger open, and it makes processes that open the ledger
/// afterwards wait.
///
/// POSIX releases every lock of a process on a file when the process closes any descriptor of
/// it, so closing the ledger's environment releases this lock too.
private final class ExclusiveLock {
    private var descriptor: Int32
    private let path: String

    init(folder: String) throws {
        path = folder + "/lock.mdb"
        descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError(description: "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        var lock = Self.firstByte(F_WRLCK)
        guard fcntl(descriptor, F_SETLK, &lock) == 0 else {
            var holder = Self.firstByte(F_WRLCK)
            // F_GETLK reports a conflicting lock of another process, never this process's own.
            let found = fcntl(descriptor, F_GETLK, &holder) == 0 && holder.l_type != Int16(F_UNLCK)
            close(descriptor)
            descriptor = -1
            throw LedgerError.inUse(path: folder, processID: found ? holder.l_pid : 0)
        }
    }

    /// Exchanges `folder` and `copy` in one `renameat2(RENAME_EXCHANGE)` call, then marks the
    /// old lock file, now in `copy`, invalid: a zero magic number makes LMDB reject it.
    func swap(_ folder: String, with copy: String) throws {
        try Self.exchange(folder, copy)
        // NOTE: a crash between the exchange and this write leaves the old lock file valid, so a
        // process that was waiting on it could open it with the new data file.
        var zeros = [UInt8](repeating: 0, count: 8)
        _ = pwrite(descriptor, &zeros, zeros.count, 0)
        fsync(descriptor)
        // The swap is done either way; a failed sync only makes it less durable.
        try? syncFolder((folder as NSString).deletingLastPathComponent)
    }

    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    private static func firstByte(_ type: Int32) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 1
        return lock
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    private static func exchange(_ first: String, _ second: String) throws {
        guard let symbol = dlsym(nil, "renameat2") else {
            throw StorageError(description: "this C library has no renameat2, which compaction needs to swap folders atomically")
        }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let exchangeFlag: UInt32 = 2  // RENAME_EXCHANGE
        guard renameat2(AT_FDCWD, first, AT_FDCWD, second, exchangeFlag) == 0 else {
            throw StorageError(
                description: "cannot swap the compacted copy into '\(first)': \(String(cString: strerror(errno))); the ledger was left as it was")
        }
    }
}
