import Foundation

/// A rejected request: the ledger wrote nothing.
public enum LedgerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An append stated an expected version of the customer that is not the current one.
    case versionConflict(customer: CustomerID, expected: UInt32, actual: UInt32)
    /// An event id that is already in the log arrived with other content.
    case eventIDReused(id: UUID, position: UInt64)
    /// An event breaks a business rule. `index` is the event's index in the batch, from 0.
    case ruleViolation(index: Int, eventID: UUID, reason: String)
    /// The loyalty program is invalid.
    case invalidProgram(String)
    /// The stored bytes at a position could not be decoded.
    case corruptEvent(position: UInt64, DecodingError)
    /// The stored projection of a customer could not be decoded.
    case corruptProjection(String)
    /// The stored hash chain does not continue from the log, so no event can be appended to it.
    case brokenHashChain(String)
    /// The database was made by an incompatible version of the ledger.
    case incompatibleDatabase(String)
    /// The database was opened read-only.
    case readOnly
    /// Another process has the ledger open, and the operation needs it alone.
    case inUse(path: String, processID: Int32)

    public var description: String {
        switch self {
        case .versionConflict(let customer, let expected, let actual):
            "version conflict for customer \(customer): expected version \(expected), but the stream is at version \(actual); reload the customer and retry"
        case .eventIDReused(let id, let position):
            "event id \(id.uuidString.lowercased()) is already at position \(position) with other content; use a new event id"
        case .ruleViolation(let index, let eventID, let reason):
            "event \(index + 1) of the batch (id \(eventID.uuidString.lowercased())) rejected: \(reason); nothing was written"
        case .invalidProgram(let reason):
            "invalid loyalty program: \(reason)"
        case .corruptEvent(let position, let error):
            "the event at position \(position) is damaged: \(error); run 'ledger verify' and restore from a backup"
        case .corruptProjection(let detail):
            "a stored projection is damaged: \(detail); run 'ledger replay' to rebuild it"
        case .brokenHashChain(let detail):
            "the hash chain is broken: \(detail); run 'ledger verify' to find the first damaged position, and restore from a backup"
        case .incompatibleDatabase(let detail):
            "incompatible database: \(detail)"
        case .readOnly:
            "the ledger is open read-only; open it without the readOnly option to change it"
        case .inUse(let path, let processID):
            "process \(processID) has the ledger at '\(path)' open; stop it and every other reader or writer of the ledger, then retry"
        }
    }
}
