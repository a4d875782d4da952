/// One inconsistency that ``Ledger/verify(progress:)`` found.
public struct VerificationFinding: Equatable, Sendable, CustomStringConvertible {
    /// The kinds of findings, in the order a report lists them for one position.
    public enum Kind: String, Equatable, Sendable, CaseIterable {
        /// A page of the database file fails LMDB's structural rules, so the log was not read
        /// through LMDB, which could crash on it. The finding has no position.
        case damagedPage = "damaged-page"
        /// Positions without an event before the last one: deleted events.
        case positionGap = "position-gap"
        /// The stored record does not decode.
        case undecodableRecord = "undecodable-record"
        /// The record's sealed personal data fails its authentication check under the master
        /// key: its ciphertext was changed or moved from another event. Only a check with the key finds it.
        case sealedDataChanged = "sealed-data-changed"
        /// The record's bytes do not hash to its stored chain hash, while the next link still
        /// continues from that stored hash: the record changed after it was written.
        case recordChanged = "record-changed"
        /// The stored chain hash differs from the hash of its record, and the next link (or the
        /// head) continues from the record's real hash: the hash entry was changed.
        case hashChanged = "hash-changed"
        /// The chain does not link through this position, or its hash entry is missing, and the
        /// neighbouring links do not tell whether the record or the hash changed.
        case chainBroken = "chain-broken"
        /// The chain head or the last position in `meta` does not match the log.
        case headMismatch = "head-mismatch"
        /// A customer's versions are not 1, 2, 3, …, or an event's back-pointer does not point to
        /// the customer's previous event.
        case versionSequence = "version-sequence"
        /// An event's id is missing from the event-id index or maps to another position, or an
        /// index entry maps to a position without an event of that id.
        case eventIDIndex = "event-id-index"
        /// A stored customer projection differs from the one rebuilt from the log.
        case projection = "projection"
        /// The stored statistics, program versions or projection position differ from the ones
        /// rebuilt from the log.
        case projectionMeta = "projection-meta"
    }

    public var kind: Kind
    /// The log position concerned, or nil for a finding about the projections.
    public var position: UInt64?
    /// The customer concerned, when one is; customer id 0 is the ledger's own stream.
    public var customerID: CustomerID?
    /// The damaged page of the database file, for a ``Kind/damagedPage`` finding.
    public var page: UInt64?
    /// A sentence that names what differs and where.
    public var detail: String

    public init(kind: Kind, position: UInt64? = nil, customerID: CustomerID? = nil, page: UInt64? = nil, detail: String) {
        self.kind = kind
        self.position = position
        self.customerID = customerID
        self.page = page
        self.detail = detail
    }

    /// Where the finding is: `position P`, `page N of the database file` or `the projections`.
    public var place: String {
        if let position { return "position \(position)" }
        if let page { return "page \(page) of the database file" }
        return "the projections"
    }

    public var description: String {
        guard position != nil || page != nil else { return "\(kind.rawValue): \(detail)" }
        return "\(place): \(kind.rawValue): \(detail)"
    }
}

/// The result of ``Ledger/verify(progress:)``.
public struct VerificationReport: Equatable, Sendable {
    /// The number of stored events that were read.
    public var eventsChecked: UInt64
    /// The chain head stored in `meta` when the check ended. When the stored head cannot be
    /// read, which is also a finding, its position is 0 and its hash 64 question marks.
    public var head: LogHead
    /// The hash chain recomputed over the stored records in position order from h(0), up to the
    /// last one, or nil when positions are missing. It equals `head.hash` for a log that verifies.
    public var recomputedHash: String?
    /// The findings, in log order: per position first, then the event-id index, then the projections.
    public var findings: [VerificationFinding]
    /// Findings counted after the first ``Ledger/maximumVerificationFindings``, which are not listed.
    public var omittedFindings: Int
    /// False when an event could not be folded, so that the projections were not compared.
    public var projectionsCompared: Bool

    /// True when the check found nothing.
    public var isVerified: Bool { findings.isEmpty }
}
