import CLMDB
import Glibc

/// A damaged page that ``PageCheck`` found in an LMDB data file.
public struct DamagedPage: Equatable, Sendable, CustomStringConvertible {
    /// The page number; page N starts at byte N × page size.
    public var page: UInt64
    /// The table whose B-tree reaches the page: a table name, `main` for the catalog of
    /// tables, or `free` for LMDB's list of free pages.
    public var table: String
    /// A sentence that names what is wrong with the page.
    public var detail: String

    public var description: String { "page \(page) of table '\(table)': \(detail)" }
}

/// A structural check of an LMDB data file that reads its pages with `pread`, not through
/// LMDB, and follows only page numbers and offsets that it has checked.
///
/// LMDB 0.9 keeps no checksums and trusts every page number and offset it reads, so a page
/// overwritten with noise can make a cursor read outside the map and crash the process. This
/// check walks every B-tree of one snapshot first. For each page, it compares the page number
/// in the header with the page's place and the page type with its depth, and checks the
/// free-space bounds. It checks that every node and overflow record lies inside its pages and
/// that no page is reached twice. Keys must ascend within and across pages, and the entry
/// count must match the table's record. It does not read the values, which the hash chain covers.
///
/// The check reads the snapshot of an open read transaction. LMDB never overwrites the pages
/// of a snapshot while a transaction reads it, so writers may go on during the check.
struct PageCheck {
    /// The maximum number of problems listed. The check stops collecting after them.
    static let maximumProblems = 100

    private static let headerSize = 16
    private static let nodeHeaderSize = 8
    private static let databaseRecordSize = 48
    private static let invalidPage = UInt64.max
    private static let metaMagic: UInt32 = 0xBEEF_C0DE

    private static let branchFlag: UInt16 = 0x01
    private static let leafFlag: UInt16 = 0x02
    private static let overflowFlag: UInt16 = 0x04
    private static let metaFlag: UInt16 = 0x08
    private static let pageTypeFlags: UInt16 = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40

    private static let bigDataNode: UInt16 = 0x01
    private static let subDatabaseNode: UInt16 = 0x02
    private static let duplicateDataNode: UInt16 = 0x04

    /// `MDB_REVERSEKEY | MDB_DUPSORT | MDB_INTEGERKEY`: tables whose keys are not in plain byte order.
    private static let customOrderFlags: UInt16 = 0x02 | 0x04 | 0x08

    /// One B-tree's record (`MDB_db`) from a meta page or from the catalog.
    struct TreeRecord {
        var flags: UInt16
        var depth: UInt16
        var entries: UInt64
        var root: UInt64
    }

    /// The meta page of the snapshot being checked.
    struct Meta {
        var pageSize: Int
        var lastPage: UInt64
        var transactionID: UInt64
        var free: TreeRecord
        var main: TreeRecord
    }

    /// The part of the file to check.
    enum Scope: Equatable {
        /// The catalog of tables and the named small tables: a few pages, cheap enough for every open.
        case catalog(tables: Set<String>)
        /// Every table.
        case all
    }

    private let descriptor: Int32
    private let meta: Meta
    private let fileSize: UInt64
    private var visited: [UInt64]
    private(set) var problems: [DamagedPage] = []
    private var page: [UInt8]

    /// Checks the snapshot of `transaction` in `environment` and returns the damaged pages found,
    /// or nil when two later commits overwrote the snapshot's meta page before it was read, so
    /// that the caller must retry in a new transaction.
    ///
    /// - throws: ``LMDBError`` when the file cannot be opened or read.
    @available(*, noasync)
    static func run(_ environment: Environment, transaction: Transaction, scope: Scope) throws -> [DamagedPage]? {
        let file = environment.path + "/data.mdb"
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LMDBError(code: errno, call: "open", path: file) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw LMDBError(code: errno, call: "fstat", path: file) }

        let snapshot = UInt64(mdb_txn_id(transaction.pointer))
        let meta: Meta
        switch try readMeta(descriptor, snapshot: snapshot) {
        case .found(let found): meta = found
        case .damaged(let problem): return [problem]
        case .overwritten: return nil
        }
        var check = PageCheck(descriptor: descriptor, meta: meta, fileSize: UInt64(status.st_size))
        switch scope {
        case .catalog(let tables):
            try check.walk(meta.main, table: "main") { tables.contains($0) }
        case .all:
            try check.walk(meta.main, table: "main") { _ in true }
            try check.walk(meta.free, table: "free") { _ in false }
        }
        return check.problems
    }

    private init(descriptor: Int32, meta: Meta, fileSize: UInt64) {
        self.descriptor = descriptor
        self.meta = meta
        self.fileSize = fileSize
        visited = Array(repeating: 0, count: Int(meta.lastPage / 64) + 1)
        page = Array(repeating: 0, count: meta.pageSize)
    }

    // MARK: - Meta pages

    private enum MetaResult {
        case found(Meta)
        case damaged(DamagedPage)
        /// A later transaction wrote the page.
        case overwritten
    }

    /// Reads the meta page that LMDB chose for the snapshot `snapshot`. Transaction N writes
    /// meta page N mod 2, so the snapshot's page is known from its id.
    private static func readMeta(_ descriptor: Int32, snapshot: UInt64) throws -> MetaResult {
        // The page size is in meta page 0, which LMDB also reads before anything else.
        var first = [UInt8](repeating: 0, count: headerSize + 136)
        try readExactly(descriptor, into: &first, at: 0)
        let pageSize = Int(first.load(UInt32.self, at: headerSize + 24))
        guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
            return .damaged(DamagedPage(page: 0, table: "meta", detail: "the page size \(pageSize) in the meta page is not a power of two from 512 to 65,536"))
        }

        let number = snapshot % 2
        var bytes = [UInt8](repeating: 0, count: headerSize + 136)
        try readExactly(descriptor, into: &bytes, at: number * UInt64(pageSize))
        func damaged(_ detail: String) -> MetaResult { .damaged(DamagedPage(page: number, table: "meta", detail: detail)) }

        let flags = bytes.load(UInt16.self, at: 10)
        guard flags & pageTypeFlags == metaFlag else { return damaged("the page is not marked as a meta page") }
        guard bytes.load(UInt32.self, at: headerSize) == metaMagic else { return damaged("the meta page lacks LMDB's magic number") }
        let transactionID = bytes.load(UInt64.self, at: headerSize + 128)
        if transactionID > snapshot, transactionID % 2 == number { return .overwritten }
        guard transactionID == snapshot else {
            return damaged("the meta page records transaction \(transactionID), but LMDB opened transaction \(snapshot) from it")
        }
        return .found(Meta(
            pageSize: pageSize,
            lastPage: bytes.load(UInt64.self, at: headerSize + 120),
            transactionID: transactionID,
            free: treeRecord(bytes, at: headerSize + 24),
            main: treeRecord(bytes, at: headerSize + 72)))
    }

    private static func treeRecord(_ bytes: [UInt8], at offset: Int) -> TreeRecord {
        TreeRecord(
            flags: bytes.load(UInt16.self, at: offset + 4), depth: bytes.load(UInt16.self, at: offset + 6),
            entries: bytes.load(UInt64.self, at: offset + 32), root: bytes.load(UInt64.self, at: offset + 40))
    }

    private static func readExactly(_ descriptor: Int32, into buffer: inout [UInt8], at offset: UInt64) throws {
        var done = 0
        while done < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw LMDBError(code: errno, call: "pread")
            }
            if count == 0 {
                // Past the end of the file: the remaining bytes read as zeros, which the header
                // checks reject.
                for index in done..<buffer.count { buffer[index] = 0 }
                return
            }
            done += count
        }
    }

    // MARK: - B-trees

    /// One page waiting to be checked, with the key range its parent assigns to it.
    private struct PendingPage {
        var number: UInt64
        /// The branch page that links to this one, or nil for a root.
        var parent: UInt64?
        var level: Int
        var lowerBound: [UInt8]?
        var upperBound: [UInt8]?
    }

    /// Checks the pages of `tree`, then of each table it lists for which `descendsInto` is true.
    private mutating func walk(_ tree: TreeRecord, table: String, descendsInto: (String) -> Bool) throws {
        guard tree.root != Self.invalidPage else {
            if tree.entries != 0 { report(0, table, "the table records \(tree.entries) entries but has no root page") }
            return
        }
        guard tree.depth >= 1, tree.depth <= 32 else {
            report(tree.root, table, "the table records a depth of \(tree.depth), outside 1 to 32")
            return
        }
        let keyOrder = tree.flags & Self.customOrderFlags == 0
        var entries: UInt64 = 0
        var tables: [(name: String, record: TreeRecord)] = []
        var pending = [PendingPage(number: tree.root, parent: nil, level: 1, lowerBound: nil, upperBound: nil)]

        while let next = pending.popLast() {
            guard problems.count < Self.maximumProblems else { return }
            guard try readPage(next.number, linkedFrom: next.parent, table: table) else { continue }
            let expectedType = next.level == Int(tree.depth) ? Self.leafFlag : Self.branchFlag
            let flags = page.load(UInt16.self, at: 10) & Self.pageTypeFlags
            guard flags == expectedType else {
                let expected = expectedType == Self.leafFlag ? "a leaf" : "a branch"
                report(next.number, table, "the page at depth \(next.level) of \(tree.depth) should be \(expected) page, but its type flags are \(flags)")
                continue
            }
            guard let nodes = nodeOffsets(next.number, table: table) else { continue }
            if expectedType == Self.branchFlag {
                checkBranch(next, nodes: nodes, table: table, keyOrder: keyOrder, into: &pending)
            } else {
                entries += UInt64(nodes.count)
                try checkLeaf(next, nodes: nodes, table: table, keyOrder: keyOrder, tables: &tables)
            }
        }

        if problems.isEmpty, entries != tree.entries {
            report(tree.root, table, "the table's leaf pages hold \(entries) entries, but its record says \(tree.entries)")
        }
        for (name, record) in tables where descendsInto(name) {
            try walk(record, table: name) { _ in false }
        }
    }

    /// Reads page `number` into `page` after checking that it exists and was not reached before.
    /// A bad link is reported at `parent`, the page that contains it, when there is one.
    private mutating func readPage(_ number: UInt64, linkedFrom parent: UInt64?, table: String) throws -> Bool {
        let holder = parent ?? number
        guard number >= 2, number <= meta.lastPage else {
            report(holder, table, "a link points to page \(number), outside the data pages 2 to \(meta.lastPage)")
            return false
        }
        guard (number + 1) * UInt64(meta.pageSize) <= fileSize else {
            report(holder, table, "a link points to page \(number), beyond the end of the file (\(fileSize) bytes)")
            return false
        }
        guard markVisited(number) else {
            report(holder, table, "a link points to page \(number), which another link reaches too, so one of them was overwritten")
            return false
        }
        try Self.readExactly(descriptor, into: &page, at: number * UInt64(meta.pageSize))
        let stored = page.load(UInt64.self, at: 0)
        guard stored == number else {
            report(number, table, "the page header names page \(stored)")
            return false
        }
        return true
    }

    /// Returns the node offsets of the page in `page`, or nil after reporting invalid bounds.
    private mutating func nodeOffsets(_ number: UInt64, table: String) -> [Int]? {
        let lower = Int(page.load(UInt16.self, at: 12))
        let upper = Int(page.load(UInt16.self, at: 14))
        guard lower >= Self.headerSize, lower <= upper, upper <= meta.pageSize, (lower - Self.headerSize) % 2 == 0 else {
            report(number, table, "the free-space bounds \(lower) and \(upper) are invalid for a page of \(meta.pageSize) bytes")
            return nil
        }
        let count = (lower - Self.headerSize) / 2
        guard count > 0 else {
            report(number, table, "the page holds no entries")
            return nil
        }
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        for index in 0..<count {
            let offset = Int(page.load(UInt16.self, at: Self.headerSize + 2 * index))
            guard offset >= upper, offset + Self.nodeHeaderSize <= meta.pageSize else {
                report(number, table, "entry \(index) starts at offset \(offset), outside the node area \(upper) to \(meta.pageSize)")
                return nil
            }
            let keySize = Int(page.load(UInt16.self, at: offset + 6))
            guard offset + Self.nodeHeaderSize + keySize <= meta.pageSize else {
                report(number, table, "the key of entry \(index) (\(keySize) bytes at offset \(offset)) runs past the page end")
                return nil
            }
            offsets.append(offset)
        }
        return offsets
    }

    private func key(at offset: Int) -> ArraySlice<UInt8> {
        let keySize = Int(page.load(UInt16.self, at: offset + 6))
        let start = offset + Self.nodeHeaderSize
        return page[start..<(start + keySize)]
    }

    /// Reports keys that do not ascend, or fall outside the range that the parent assigns.
    /// Returns false after a report.
    private mutating func checkKeyOrder(
        _ keys: [ArraySlice<UInt8>], of pending: PendingPage, table: String
    ) -> Bool {
        for index in keys.indices.dropFirst() where !keys[index - 1].lexicographicallyPrecedes(keys[index]) {
            report(pending.number, table, "key \(index) does not sort after key \(index - 1)")
            return false
        }
        if let lower = pending.lowerBound, let first = keys.first, first.lexicographicallyPrecedes(lower) {
            report(pending.number, table, "the first key sorts before the range its parent page assigns")
            return false
        }
        if let upper = pending.upperBound, let last = keys.last, !last.lexicographicallyPrecedes(upper) {
            report(pending.number, table, "the last key sorts after the range its parent page assigns")
            return false
        }
        return true
    }

    private mutating func checkBranch(
        _ pending: PendingPage, nodes: [Int], table: String, keyOrder: Bool, into queue: inout [PendingPage]
    ) {
        // The first key of a branch page is empty and stands for the parent's lower bound.
        let keys = nodes.map { key(at: $0) }
        if keyOrder, !checkKeyOrder(Array(keys.dropFirst()), of: pending, table: table) { return }
        for (index, offset) in nodes.enumerated().reversed() {
            let child = UInt64(page.load(UInt16.self, at: offset)) | UInt64(page.load(UInt16.self, at: offset + 2)) << 16
                | UInt64(page.load(UInt16.self, at: offset + 4)) << 32
            queue.append(PendingPage(
                number: child, parent: pending.number, level: pending.level + 1,
                lowerBound: index == 0 ? pending.lowerBound : Array(keys[index]),
                upperBound: index + 1 < keys.count ? Array(keys[index + 1]) : pending.upperBound))
        }
    }

    private mutating func checkLeaf(
        _ pending: PendingPage, nodes: [Int], table: String, keyOrder: Bool,
        tables: inout [(name: String, record: TreeRecord)]
    ) throws {
        if keyOrder, !checkKeyOrder(nodes.map { key(at: $0) }, of: pending, table: table) { return }
        for (index, offset) in nodes.enumerated() {
            let flags = page.load(UInt16.self, at: offset + 4)
            let dataSize = Int(page.load(UInt16.self, at: offset)) | Int(page.load(UInt16.self, at: offset + 2)) << 16
            let dataStart = offset + Self.nodeHeaderSize + Int(page.load(UInt16.self, at: offset + 6))
            guard flags & ~(Self.bigDataNode | Self.subDatabaseNode) == 0, flags != Self.bigDataNode | Self.subDatabaseNode else {
                let detail = flags & Self.duplicateDataNode != 0 ? "duplicate values, which no ledger table uses" : "unknown node flags \(flags)"
                report(pending.number, table, "entry \(index) has \(detail)")
                return
            }
            if flags & Self.bigDataNode != 0 {
                guard dataStart + 8 <= meta.pageSize else {
                    report(pending.number, table, "the overflow link of entry \(index) runs past the page end")
                    return
                }
                let first = page.load(UInt64.self, at: dataStart)
                let saved = page
                try checkOverflow(first, linkedFrom: pending.number, dataSize: dataSize, table: table)
                page = saved
                continue
            }
            guard dataStart + dataSize <= meta.pageSize else {
                report(pending.number, table, "the value of entry \(index) (\(dataSize) bytes at offset \(dataStart)) runs past the page end")
                return
            }
            if flags & Self.subDatabaseNode != 0 {
                guard dataSize == Self.databaseRecordSize else {
                    report(pending.number, table, "the table record of entry \(index) has \(dataSize) bytes instead of \(Self.databaseRecordSize)")
                    return
                }
                let name = String(decoding: key(at: offset), as: UTF8.self)
                let record = Self.treeRecord(Array(page[dataStart..<(dataStart + dataSize)]), at: 0)
                tables.append((name, record))
            }
        }
    }

    /// Checks the overflow pages of one large value: the first page's header, its page count,
    /// and that the pages exist and were not reached before.
    private mutating func checkOverflow(_ first: UInt64, linkedFrom parent: UInt64, dataSize: Int, table: String) throws {
        guard try readPage(first, linkedFrom: parent, table: table) else { return }
        guard page.load(UInt16.self, at: 10) & Self.pageTypeFlags == Self.overflowFlag else {
            report(first, table, "a large value links to this page, which is not an overflow page")
            return
        }
        let count = UInt64(page.load(UInt32.self, at: 12))
        let needed = UInt64((Self.headerSize - 1 + dataSize) / meta.pageSize + 1)
        guard count == needed, first + count - 1 <= meta.lastPage,
            (first + count) * UInt64(meta.pageSize) <= fileSize
        else {
            report(first, table, "the overflow record spans \(count) pages, but its value of \(dataSize) bytes needs \(needed) within the file")
            return
        }
        for number in (first + 1)..<(first + count) where !markVisited(number) {
            report(first, table, "the overflow record's page \(number) is reached by another link too, so one of them was overwritten")
            return
        }
    }

    private mutating func markVisited(_ number: UInt64) -> Bool {
        let word = Int(number / 64)
        let bit = UInt64(1) << (number % 64)
        if visited[word] & bit != 0 { return false }
        visited[word] |= bit
        return true
    }

    private mutating func report(_ number: UInt64, _ table: String, _ detail: String) {
        if problems.count < Self.maximumProblems { problems.append(DamagedPage(page: number, table: table, detail: detail)) }
    }
}

extension Array where Element == UInt8 {
    /// Reads a little-endian integer at `offset`, which need not be aligned.
    fileprivate func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
