import Foundation

/// The personal part of one registration or profile update, kept in the customer's state as
/// stored in the event: sealed under the customer's data key in an encrypted ledger. Projections
/// copy these bytes and never decrypt them; reads open them with ``PersonalDataReader``.
struct PersonalRecord: Sendable {
    var eventID: UUID
    /// ``EventType/customerRegistered`` or ``EventType/profileUpdated``.
    var typeCode: UInt16
    /// For a profile update, the field mask of its public part.
    var mask: UInt64
    var isSealed: Bool
    var bytes: [UInt8]
}

/// A customer's personal records in one buffer, so that a state costs one allocation for them.
///
/// Each record is the 16-byte event id, the varint type code, the varint mask, a sealed flag
/// byte and the length-prefixed bytes. Two lists are equal when they name the same events with
/// the same masks: the sealed bytes of one event differ between ledgers, because each seals
/// with its own keys and nonces.
struct PersonalRecords: Equatable, Sendable {
    private(set) var bytes: [UInt8] = []

    init() {}

    /// Reads stored records, checking their layout.
    init(checking stored: UnsafeRawBufferPointer) throws(DecodingError) {
        bytes = Array(stored)
        _ = try decoded()
    }

    var isEmpty: Bool { bytes.isEmpty }

    mutating func append(_ record: PersonalRecord) {
        var writer = ByteWriter(capacity: record.bytes.count + 24)
        withUnsafeBytes(of: record.eventID.uuid) { writer.write(raw: $0) }
        writer.write(varint: UInt64(record.typeCode))
        writer.write(varint: record.mask)
        writer.write(record.isSealed ? 1 : 0)
        writer.write(lengthPrefixed: record.bytes)
        bytes.append(contentsOf: writer.bytes)
    }

    /// Returns the records in order.
    func decoded() throws(DecodingError) -> [PersonalRecord] {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(DecodingError) -> [PersonalRecord] in try Self.decode(buffer) }
        }
        return try result.get()
    }

    private static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> [PersonalRecord] {
        var reader = ByteReader(buffer)
        var records: [PersonalRecord] = []
        while !reader.isAtEnd {
            let eventID = try EventCodec.readUUID(&reader)
            let typeCode = try reader.readVarint()
            guard typeCode == UInt64(EventType.customerRegistered.rawValue)
                || typeCode == UInt64(EventType.profileUpdated.rawValue)
            else { throw .malformed("personal record of type \(typeCode)", at: reader.offset) }
            let mask = try reader.readVarint()
            let isSealed = try reader.readByte() != 0
            records.append(
                PersonalRecord(
                    eventID: eventID, typeCode: UInt16(typeCode), mask: mask, isSealed: isSealed,
                    bytes: try reader.readLengthPrefixed()))
        }
        return records
    }

    static func == (left: PersonalRecords, right: PersonalRecords) -> Bool {
        guard let leftRecords = try? left.decoded(), let rightRecords = try? right.decoded() else {
            return left.bytes == right.bytes
        }
        return leftRecords.map(\.eventID) == rightRecords.map(\.eventID)
            && leftRecords.map(\.typeCode) == rightRecords.map(\.typeCode)
            && leftRecords.map(\.mask) == rightRecords.map(\.mask)
    }
}

/// The personal fields that a read filled in, and how much of them it may show.
final class ResolvedPersonalData: Equatable, @unchecked Sendable {
    /// The profile with the personal fields filled in; province and city come from the state.
    let profile: CustomerProfile
    let status: PersonalDataStatus

    init(profile: CustomerProfile, status: PersonalDataStatus) {
        self.profile = profile
        self.status = status
    }

    static func == (left: ResolvedPersonalData, right: ResolvedPersonalData) -> Bool {
        left.profile == right.profile && left.status == right.status
    }
}

/// A decrypter of the personal parts of stored records for one transaction, which opens what the
/// master key and the role allow and masks phone and email for the support role.
final class PersonalDataReader {
    let role: AccessRole
    /// The data keys, or nil when the ledger is open without its master key.
    let keys: KeyRing?

    /// Why the analyst role withholds personal data: ``WithheldReason/role``, or
    /// ``WithheldReason/notRequested`` for ``skipping``.
    private var roleReason = WithheldReason.role

    init(role: AccessRole, keys: KeyRing?) {
        self.role = role
        self.keys = keys
    }

    /// A reader that opens nothing, for reads that leave personal data out.
    static var skipping: PersonalDataReader {
        let reader = PersonalDataReader(role: .analyst, keys: nil)
        reader.roleReason = .notRequested
        return reader
    }

    /// Returns the associated data of a sealed personal part: a fixed text, the customer id, the
    /// type code and the event id, so that sealed bytes moved to another event fail to open.
    static func associatedData(customer: CustomerID, typeCode: UInt16, eventID: UUID) -> [UInt8] {
        var bytes = associatedDataPrefix
        withUnsafeBytes(of: customer.rawValue.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: typeCode.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: eventID.uuid) { bytes.append(contentsOf: $0) }
        return bytes
    }

    private static let associatedDataPrefix = Array("customer-ledger personal data".utf8)

    enum Opened {
        case plaintext([UInt8])
        case withheld(WithheldReason)
    }

    /// Returns the plaintext of a personal part, or why it is withheld.
    ///
    /// - throws: ``PrivacyError/tamperedCiphertext(_:)`` when sealed bytes fail authentication.
    func open(
        _ bytes: UnsafeRawBufferPointer, isSealed: Bool, customer: CustomerID, typeCode: UInt16, eventID: UUID,
        describedAs what: @autoclosure () -> String
    ) throws -> Opened {
        if role == .analyst { return .withheld(roleReason) }
        guard isSealed else { return .plaintext(Array(bytes)) }
        guard let keys else { return .withheld(.noKey) }
        guard let key = try keys.key(for: customer) else { return .withheld(.erased) }
        let associated = Self.associatedData(customer: customer, typeCode: typeCode, eventID: eventID)
        guard let plaintext = key.withUnsafeBytes({ Sodium.open(bytes, key: $0, associated: associated) }) else {
            throw PrivacyError.tamperedCiphertext(what())
        }
        return .plaintext(plaintext)
    }

    /// The status of personal data that was opened.
    var shownStatus: PersonalDataStatus { role == .support ? .masked : .shown }

    /// Fills in the personal fields of `state.profile` from its personal records.
    func resolve(_ state: inout CustomerState) throws {
        if state.erasedAt != nil {
            state.resolved = ResolvedPersonalData(profile: CustomerProfile(name: ""), status: .withheld(.erased))
            return
        }
        let records: [PersonalRecord]
        do {
            records = try state.personalRecords.decoded()
        } catch {
            throw LedgerError.corruptProjection("the personal records of customer \(state.customerID): \(error)")
        }
        var profile = CustomerProfile(name: "")
        for record in records {
            let opened = try record.bytes.withUnsafeBytes { bytes in
                try open(
                    bytes, isSealed: record.isSealed, customer: state.customerID, typeCode: record.typeCode,
                    eventID: record.eventID, describedAs: "the personal data of customer \(state.customerID)")
            }
            switch opened {
            case .withheld(let reason):
                state.resolved = ResolvedPersonalData(profile: CustomerProfile(name: ""), status: .withheld(reason))
                return
            case .plaintext(let plaintext):
                do {
                    try plaintext.withUnsafeBytes { bytes in
                        var reader = ByteReader(bytes)
                        try PayloadCodec.applyPersonal(
                            typeCode: record.typeCode, mask: record.mask, from: &reader, to: &profile)
                        guard reader.isAtEnd else { throw DecodingError.malformed("trailing personal bytes", at: reader.offset) }
                    }
                } catch let error as DecodingError {
                    throw LedgerError.corruptProjection("the personal data of customer \(state.customerID): \(error)")
                }
            }
        }
        if role == .support { Self.mask(&profile) }
        state.resolved = ResolvedPersonalData(profile: profile, status: records.isEmpty ? .none : shownStatus)
    }

    static func mask(_ profile: inout CustomerProfile) {
        profile.phone = PersonalDataMask.phone(profile.phone)
        profile.email = PersonalDataMask.email(profile.email)
    }

    /// Masks the phone and email of a payload for the support role.
    static func mask(_ payload: inout EventPayload) {
        switch payload {
        case .customerRegistered(var registered):
            mask(&registered.profile)
            payload = .customerRegistered(registered)
        case .profileUpdated(var updated):
            updated.changes.phone = updated.changes.phone.map(PersonalDataMask.phone)
            updated.changes.email = updated.changes.email.map(PersonalDataMask.email)
            payload = .profileUpdated(updated)
        default:
            break
        }
    }
}
