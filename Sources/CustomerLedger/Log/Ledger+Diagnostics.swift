import CLMDB
import Foundation

/// One slot of LMDB's reader table, which records every open read transaction of every process
/// that has the ledger open.
public struct ReaderSlot: Equatable, Sendable {
    public var processID: Int32
    /// The thread that began the transaction, as LMDB prints it (`pthread_t` on Linux).
    public var threadID: UInt64
    /// The transaction id of the snapshot the reader reads, or nil when the slot is reserved but
    /// has no open transaction.
    public var transactionID: UInt64?
    /// True when no process with ``processID`` exists. A stale slot with a transaction id keeps
    /// LMDB from reusing the pages freed after that snapshot, so the file grows until the slot
    /// is cleared.
    public var isStale: Bool
}

/// The page counts of one LMDB database (`mdb_stat`).
public struct DatabasePages: Equatable, Sendable {
    public var name: String
    public var entries: Int
    public var depth: Int
    public var branchPages: Int
    public var leafPages: Int
    public var overflowPages: Int

    /// Branch, leaf and overflow pages together.
    public var pages: Int { branchPages + leafPages + overflowPages }

    init(name: String, _ stat: MDB_stat) {
        self.name = name
        entries = stat.ms_entries
        depth = Int(stat.ms_depth)
        branchPages = stat.ms_branch_pages
        leafPages = stat.ms_leaf_pages
        overflowPages = stat.ms_overflow_pages
    }
}

/// Storage figures of a ledger's LMDB environment, from ``Ledger/diagnostics()``.
///
/// Every page from 0 to ``lastPageNumber`` is a meta page, a page of a database or of the free
/// list's own B-tree, or a free page, so ``pagesInUse`` + ``freePages`` = ``lastPageNumber`` + 1.
public struct StorageDiagnostics: Equatable, Sendable {
    /// The version of the LMDB library this process runs, such as `LMDB 0.9.24: (July 24, 2019)`.
    public var lmdbVersion: String
    public var mapSizeBytes: Int
    public var pageSize: Int
    /// The number of the last page that the last committed transaction uses, so the file contains
    /// at least `lastPageNumber + 1` pages.
    public var lastPageNumber: Int
    /// The id of the last committed write transaction.
    public var lastTransactionID: UInt64
    /// The named databases, in name order.
    public var databases: [DatabasePages]
    /// The main database, which stores the records of the named databases.
    public var mainDatabase: DatabasePages
    /// The pages of the free list's own B-tree.
    public var freeListTreePages: Int
    /// The page numbers on the free list: pages of the file that hold no live data.
    public var freePages: Int
    /// The free pages that the next write transaction may reuse. The others were freed at or
    /// after the snapshot of the oldest reader, which may still read them.
    public var reusableFreePages: Int
    /// The two meta pages, the pages of every database and of the free list's B-tree.
    public var pagesInUse: Int
    /// The size of `data.mdb` in bytes, or 0 when it cannot be read.
    public var dataFileSizeBytes: Int64
    /// The size of the reader table.
    public var maxReaders: Int
    /// The reader slots that a process owns, in table order.
    public var readers: [ReaderSlot]

    /// The reader slots whose process no longer exists.
    public var staleReaders: [ReaderSlot] { readers.filter(\.isStale) }
}

extension Ledger {
    /// Reads the storage figures of the ledger: LMDB version, map and page sizes, the pages of
    /// each database, the free list and the reader table.
    ///
    /// The reader table is read before the read transaction that counts the pages begins, so it
    /// never lists this call's own transaction. The figures come from one snapshot, except
    /// ``StorageDiagnostics/lastPageNumber``, ``StorageDiagnostics/lastTransactionID`` and the
    /// reader table, which are read from the environment around it.
    /// - throws: ``LMDBError`` when LMDB fails, or ``StorageError`` for a damaged free list.
    @available(*, noasync)
    public func diagnostics() throws -> StorageDiagnostics {
        let readers = try environment.readerSlots()
        let names = try environment.read { txn in try environment.databaseNames(txn) }
        // Opening the handles outside the statistics transaction keeps them open afterwards.
        var handles: [(String, Database)] = []
        for name in names.sorted() {
            do {
                handles.append((name, try environment.database(name, create: false)))
            } catch let error as LMDBError where error.code == MDB_INCOMPATIBLE {
                // A key of the main database that is not a named database's record.
                continue
            }
        }

        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int) ?? 0
        return try environment.read { txn in
            let info = environment.info
            let lastTransaction = UInt64(info.me_last_txnid)
            let oldestSnapshot = readers.compactMap(\.transactionID).reduce(lastTransaction, min)
            let databases = try handles.map { name, handle in DatabasePages(name: name, try txn.statistics(handle)) }
            let main = DatabasePages(name: "", try environment.mainDatabaseStatistics(txn))
            let free = try environment.freeList(txn, oldestSnapshot: oldestSnapshot)
            let pagesInUse = Environment.metaPageCount + main.pages + free.treePages + databases.reduce(0) { $0 + $1.pages }

            return StorageDiagnostics(
                lmdbVersion: String(cString: mdb_version(nil, nil, nil)),
                mapSizeBytes: info.me_mapsize,
                pageSize: Int(environment.stat.ms_psize),
                lastPageNumber: info.me_last_pgno,
                lastTransactionID: lastTransaction,
                databases: databases,
                mainDatabase: main,
                freeListTreePages: free.treePages,
                freePages: free.freePages,
                reusableFreePages: free.reusablePages,
                pagesInUse: pagesInUse,
                dataFileSizeBytes: Int64(fileSize),
                maxReaders: environment.maxReaders,
                readers: readers)
        }
    }

    /// Frees the reader slots of processes that no longer exist and returns how many it freed
    /// (`mdb_reader_check`).
    ///
    /// Opening a ledger does this too, unless ``Options/clearsStaleReadersOnOpen`` is false.
    /// LMDB decides from the lock that each process holds on the lock file, so its count can
    /// differ from the slots that ``ReaderSlot/isStale`` marks when a process id was reused. It
    /// changes only the lock file, so a read-only ledger may call it.
    @available(*, noasync)
    @discardableResult
    public func clearStaleReaders() throws -> Int {
        try environment.clearStaleReaders()
    }
}
