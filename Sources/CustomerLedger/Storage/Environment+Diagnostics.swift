import CLMDB
import Foundation

// Read-only inspection of an environment's pages and reader table, for `Ledger.diagnostics()`.

extension Environment {
    /// Handle 0, LMDB's free-list database (`FREE_DBI` in `mdb.c`).
    private static let freeListDatabase: MDB_dbi = 0

    /// Pages that LMDB reserves for its two meta pages, numbers 0 and 1.
    static let metaPageCount = 2

    /// Returns the slots of LMDB's reader table that a process owns, in table order.
    ///
    /// LMDB 0.9 has no structured API for the table, so this parses the text lines of
    /// `mdb_reader_list`: a header line, then one `PID THREAD TXNID` line per slot, with the
    /// thread in hexadecimal and `-` for a slot whose transaction has ended.
    func readerSlots() throws -> [ReaderSlot] {
        let lines = LineCollector()
        let context = Unmanaged.passUnretained(lines).toOpaque()
        let code = mdb_reader_list(pointer, { message, context in
            guard let message, let context else { return -1 }
            Unmanaged<LineCollector>.fromOpaque(context).takeUnretainedValue().lines.append(String(cString: message))
            return 0
        }, context)
        // mdb_reader_list returns the last callback's result, which is never negative here.
        try check(code, "mdb_reader_list")
        return withExtendedLifetime(lines) { lines.lines.compactMap(Self.parseReaderLine) }
    }

    /// Parses one line of `mdb_reader_list`, or returns nil for the header and for
    /// `(no active readers)`.
    static func parseReaderLine(_ line: String) -> ReaderSlot? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard fields.count == 3, let processID = Int32(fields[0]), let thread = UInt64(fields[1], radix: 16) else {
            return nil
        }
        let transactionID: UInt64?
        if fields[2] == "-" {
            transactionID = nil
        } else if let number = UInt64(fields[2]) {
            transactionID = number
        } else {
            return nil
        }
        return ReaderSlot(
            processID: processID, threadID: thread, transactionID: transactionID,
            isStale: !Self.processExists(processID))
    }

    /// Returns false when no process has the id `processID` (`kill(pid, 0)` fails with ESRCH), or
    /// when it has exited and waits to be reaped, which `/proc/PID/stat` shows as state `Z` on Linux.
    /// A process of another user, for which `kill` fails with EPERM, exists.
    static func processExists(_ processID: Int32) -> Bool {
        guard kill(processID, 0) == 0 || errno != ESRCH else { return false }
        return !isZombie(processID)
    }

    /// Returns true when `/proc/PID/stat` gives the state `Z`. The state is the first field after
    /// the command name, which is in parentheses and may itself contain spaces and parentheses.
    private static func isZombie(_ processID: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(processID)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    /// Frees the reader slots of processes that no longer exist and returns how many it freed
    /// (`mdb_reader_check`).
    func clearStaleReaders() throws -> Int {
        var cleared: Int32 = 0
        try check(mdb_reader_check(pointer, &cleared), "mdb_reader_check")
        return Int(cleared)
    }

    /// The size of the reader table, the most read transactions open at once across all processes.
    var maxReaders: Int {
        var readers: UInt32 = 0
        mdb_env_get_maxreaders(pointer, &readers)
        return Int(readers)
    }

    /// Returns the names of the named databases, which are the keys of the main database.
    func databaseNames(_ txn: Transaction) throws -> [String] {
        var main: MDB_dbi = 0
        try check(mdb_dbi_open(txn.pointer, nil, 0, &main), "mdb_dbi_open")
        return try txn.withCursor(Database(handle: main)) { cursor in
            var names: [String] = []
            var entry = try cursor.first()
            while let (key, _) = entry {
                names.append(String(decoding: key, as: UTF8.self))
                entry = try cursor.next()
            }
            return names
        }
    }

    /// Returns the B-tree statistics of the main database, which stores the records of the named
    /// databases.
    func mainDatabaseStatistics(_ txn: Transaction) throws -> MDB_stat {
        var main: MDB_dbi = 0
        try check(mdb_dbi_open(txn.pointer, nil, 0, &main), "mdb_dbi_open")
        return try txn.statistics(Database(handle: main))
    }

    /// Walks LMDB's free list in `txn` and returns the pages of its own B-tree, the free page
    /// numbers it records, and how many of those a writer may take now.
    ///
    /// Each free-list entry has the id of the transaction that freed its pages as key, and an ID
    /// list as value: a `size_t` count followed by that many page numbers. A writer reuses an
    /// entry's pages only when its key is below `oldestSnapshot`, the oldest transaction id that
    /// an open reader still sees (`mdb_page_alloc` in `mdb.c`, LMDB 0.9.24).
    /// - parameter oldestSnapshot: the smallest transaction id of the reader table, or the last
    ///   committed transaction id when no reader has a transaction open.
    func freeList(_ txn: Transaction, oldestSnapshot: UInt64) throws -> (treePages: Int, freePages: Int, reusablePages: Int) {
        let free = Database(handle: Self.freeListDatabase)
        let stat = try txn.statistics(free)
        let treePages = stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
        let word = MemoryLayout<Int>.size

        return try txn.withCursor(free) { cursor in
            var freePages = 0
            var reusablePages = 0
            var entry = try cursor.first()
            while let (key, value) = entry {
                guard key.count == word, value.count >= word else {
                    throw StorageError(
                        description: "a free-list entry has a \(key.count)-byte key and a \(value.count)-byte value; expected a \(word)-byte transaction id and an ID list")
                }
                let freedBy = UInt64(key.loadUnaligned(as: Int.self))
                let count = value.loadUnaligned(as: Int.self)
                guard count >= 0, count <= value.count / word - 1 else {
                    throw StorageError(
                        description: "the free-list entry of transaction \(freedBy) counts \(count) pages in \(value.count) bytes; the free list is damaged")
                }
                freePages += count
                if freedBy < oldestSnapshot { reusablePages += count }
                entry = try cursor.next()
            }
            return (treePages, freePages, reusablePages)
        }
    }
}

/// The lines that `mdb_reader_list` passes to its callback.
private final class LineCollector {
    var lines: [String] = []
}
