import Foundation

/// The personal part of one registration or profile update, kept in the customer's state as
/// stored in the event: sealed under the customer's data key in an encrypted ledger. Projections
/// copy these bytes and never decrypt them; reads open them with ``PersonalDataReader``.
///
/// Two records of the same event are equal: the sealed bytes of one event differ between
/// ledgers, because each seals with its own keys and nonces.
struct PersonalRecord: Equatable, Sendable {
    var eventID: UUID
    /// ``EventType/customerRegistered`` or ``EventType/profileUpdated``.
    var typeCode: UInt16
    /// For a profile update, the field mask of its public part.
    var mask: UInt64
    var isSealed: Bool
    var bytes: [UInt8]

    static func == (left: PersonalRecord, right: PersonalRecord) -> Bool {
        left.eventID == right.eventID && left.typeCode == right.typeCode && left.mask == right.mask
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
        var bytes = Array("customer-ledger personal data".utf8)
        withUnsafeBytes(of: customer.rawValue.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: typeCode.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: eventID.uuid) { bytes.append(contentsOf: $0) }
        return bytes
    }

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
            state.personalData = .withheld(.erased)
            return
        }
        var profile = state.profile
        for record in state.personalRecords {
            let opened = try record.bytes.withUnsafeBytes { bytes in
                try open(
                    bytes, isSealed: record.isSealed, customer: state.customerID, typeCode: record.typeCode,
                    eventID: record.eventID, describedAs: "the personal data of customer \(state.customerID)")
            }
            switch opened {
            case .withheld(let reason):
                state.personalData = .withheld(reason)
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
        state.profile = profile
        state.personalData = state.personalRecords.isEmpty ? .none : shownStatus
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
