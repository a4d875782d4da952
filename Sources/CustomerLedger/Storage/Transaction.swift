import CLMDB

/// An LMDB transaction lent to a closure by ``Environment/read(_:)`` or ``Environment/write(_:)``.
///
/// Buffers it returns point into the memory map and are valid only until the transaction ends
/// or, in a write transaction, until the next write: copy what must outlive it. A transaction
/// must not be kept after its closure returns.
struct Transaction {
    let pointer: OpaquePointer

    /// Opens a named database (`mdb_dbi_open`).
    func openDatabase(_ name: String, create: Bool) throws(LMDBError) -> Database {
        var handle: MDB_dbi = 0
        try check(mdb_dbi_open(pointer, name, create ? UInt32(MDB_CREATE) : 0, &handle), "mdb_dbi_open")
        return Database(handle: handle)
    }

    /// Returns the value stored under `key`, or nil when there is none (`mdb_get`).
    func get(_ database: Database, _ key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_get(pointer, database.handle, &keyValue, &value)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_get")
        return UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    /// Stores `value` under `key` (`mdb_put`).
    ///
    /// - parameters:
    ///   - append: passes `MDB_APPEND`: the key must sort after every key in the database.
    ///   - noOverwrite: passes `MDB_NOOVERWRITE`, so an existing key throws `MDB_KEYEXIST`.
    func put(
        _ database: Database, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
        append: Bool = false, noOverwrite: Bool = false
    ) throws(LMDBError) {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        var flags: UInt32 = 0
        if append { flags |= UInt32(MDB_APPEND) }
        if noOverwrite { flags |= UInt32(MDB_NOOVERWRITE) }
        try check(mdb_put(pointer, database.handle, &keyValue, &dataValue, flags), "mdb_put")
    }

    /// Removes the entry under `key`, and returns false when there was none (`mdb_del`).
    @discardableResult
    func delete(_ database: Database, _ key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let code = mdb_del(pointer, database.handle, &keyValue, nil)
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_del")
        return true
    }

    /// Reserves `count` bytes under `key` and lets `fill` write them in place (`mdb_put` with `MDB_RESERVE`).
    func putReserving(
        _ database: Database, _ key: UnsafeRawBufferPointer, count: Int, append: Bool = false,
        _ fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(LMDBError) {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: count, mv_data: nil)
        var flags = UInt32(MDB_RESERVE)
        if append { flags |= UInt32(MDB_APPEND) }
        try check(mdb_put(pointer, database.handle, &keyValue, &dataValue, flags), "mdb_put")
        fill(UnsafeMutableRawBufferPointer(start: dataValue.mv_data, count: count))
    }

    /// Removes every entry of `database`, keeping the database itself (`mdb_drop` with `del` 0).
    func empty(_ database: Database) throws(LMDBError) {
        try check(mdb_drop(pointer, database.handle, 0), "mdb_drop")
    }

    /// Returns the number of entries in `database` (`mdb_stat`).
    func count(_ database: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(pointer, database.handle, &stat), "mdb_stat")
        return stat.ms_entries
    }

    /// Returns the B-tree statistics of `database` (`mdb_stat`).
    func statistics(_ database: Database) throws(LMDBError) -> MDB_stat {
        var stat = MDB_stat()
        try check(mdb_stat(pointer, database.handle, &stat), "mdb_stat")
        return stat
    }

    /// Lends a cursor over `database` to `body` and closes it afterwards (`mdb_cursor_open`).
    func withCursor<Result>(_ database: Database, _ body: (inout Cursor) throws -> Result) throws -> Result {
        var handle: OpaquePointer?
        try check(mdb_cursor_open(pointer, database.handle, &handle), "mdb_cursor_open")
        defer { mdb_cursor_close(handle) }
        var cursor = Cursor(pointer: handle!)
        return try body(&cursor)
    }
}

/// A position in one database of a ``Transaction``, valid only inside `withCursor`.
struct Cursor {
    typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    let pointer: OpaquePointer

    /// Moves to the first entry whose key is at least `key` (`MDB_SET_RANGE`).
    mutating func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        return try move(MDB_SET_RANGE, &keyValue)
    }

    /// Moves to the first entry (`MDB_FIRST`).
    mutating func first() throws(LMDBError) -> Entry? {
        var keyValue = MDB_val()
        return try move(MDB_FIRST, &keyValue)
    }

    /// Moves to the last entry (`MDB_LAST`).
    mutating func last() throws(LMDBError) -> Entry? {
        var keyValue = MDB_val()
        return try move(MDB_LAST, &keyValue)
    }

    /// Moves to the next entry (`MDB_NEXT`).
    mutating func next() throws(LMDBError) -> Entry? {
        var keyValue = MDB_val()
        return try move(MDB_NEXT, &keyValue)
    }

    /// Moves to the previous entry (`MDB_PREV`).
    mutating func previous() throws(LMDBError) -> Entry? {
        var keyValue = MDB_val()
        return try move(MDB_PREV, &keyValue)
    }

    private mutating func move(_ operation: MDB_cursor_op, _ key: inout MDB_val) throws(LMDBError) -> Entry? {
        var value = MDB_val()
        let code = mdb_cursor_get(pointer, &key, &value, operation)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_cursor_get")
        return (
            UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
            UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
        )
    }
}
