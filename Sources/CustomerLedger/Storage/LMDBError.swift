import CLMDB
import Glibc

/// An error returned by an LMDB call, with the LMDB return code and the name of the call that failed.
///
/// Codes are LMDB's own (`MDB_MAP_FULL`, `MDB_NOTFOUND`, ...) or an `errno` value
/// (`ENOSPC`, `EACCES`, ...), as `mdb_strerror` reports them.
public struct LMDBError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The LMDB or `errno` return code.
    public let code: Int32
    /// The C function that returned the code, such as `mdb_put`.
    public let call: String
    /// The database folder, when the failure concerns opening it.
    public let path: String?

    public init(code: Int32, call: String, path: String? = nil) {
        self.code = code
        self.call = call
        self.path = path
    }

    /// The text of `mdb_strerror` for the code.
    public var message: String {
        String(cString: mdb_strerror(code))
    }

    public var description: String {
        "\(call) failed\(path.map { " for '\($0)'" } ?? ""): \(message) (code \(code))\(hint)"
    }

    /// Whether the call failed because the device is full (`ENOSPC`) or the disk quota is
    /// exceeded (`EDQUOT`).
    public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }

    private var hint: String {
        switch code {
        case ENOSPC, EDQUOT: "; the disk is full: free space and retry, earlier data is intact"
        case EACCES, EPERM: "; check the permissions of the database folder"
        case MDB_INVALID, MDB_VERSION_MISMATCH: "; the folder does not hold a readable ledger database: its data.mdb is damaged or not an LMDB file of this version, so restore the ledger from a backup"
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND: "; the database file is damaged: run 'ledger verify' to find the damaged pages, and restore the ledger from a backup"
        case MDB_READERS_FULL: "; too many open readers: close idle readers or clear stale ones"
        case ENOMEM where call == "mdb_env_open":
            "; LMDB could not map the file at the size its meta page records, so the meta page may be damaged: run 'ledger verify', and restore the ledger from a backup if the memory is not short"
        default: ""
        }
    }

    public static let notFound = MDB_NOTFOUND
    public static let keyExists = MDB_KEYEXIST
    public static let mapFull = MDB_MAP_FULL
    public static let mapResized = MDB_MAP_RESIZED
}

/// Throws an ``LMDBError`` naming `call` when the return code of an `mdb_*` call is nonzero.
@inline(__always)
func check(_ code: Int32, _ call: StaticString) throws(LMDBError) {
    if code != 0 { throw LMDBError(code: code, call: "\(call)") }
}
