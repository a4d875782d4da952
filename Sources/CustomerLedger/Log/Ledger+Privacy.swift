import Foundation

extension Ledger {
    /// Erases a customer's personal data at their request, in one durable transaction: appends a
    /// ``CustomerErased`` event at `instant` and destroys the customer's data key.
    ///
    /// Afterwards the personal parts of all the customer's events stay in the log as ciphertext
    /// that nothing can decrypt, so every read path withholds them, and the hash chain still
    /// verifies. Purchases, points and tiers are kept. No further event of the customer is
    /// accepted. The destroyed key's bytes stay in the file's free pages until ``compact(path:options:)``
    /// rewrites it; backups made before the erasure still hold the key.
    ///
    /// - parameter reason: why the data was erased, such as a request reference. It is stored in
    ///   clear, so it must not contain personal data.
    /// - throws: ``PrivacyError/roleNotAllowed(role:operation:)`` unless the role is admin,
    ///   ``PrivacyError/masterKeyRequired(_:)`` without the master key, and
    ///   ``LedgerError/ruleViolation(index:eventID:reason:)`` for an unknown or already erased
    ///   customer, or a ledger that keeps personal data in clear.
    @available(*, noasync)
    @discardableResult
    public func erase(
        _ customer: CustomerID, reason: String, at instant: Timestamp, metadata: EventMetadata = EventMetadata()
    ) throws -> AppendOutcome {
        guard role == .admin else { throw PrivacyError.roleNotAllowed(role: role, operation: "erasing customers") }
        let event = NewEvent(
            customerID: customer, occurredAt: instant, payload: .customerErased(CustomerErased(reason: reason)),
            metadata: metadata)
        if let state = try self.customer(customer), let field = Self.personalField(of: state.profile, in: reason) {
            throw LedgerError.ruleViolation(
                index: 0, eventID: event.id,
                reason: "the erasure reason contains the customer's \(field), and the reason is stored in clear; give a request reference instead")
        }
        return try append(event)
    }

    /// Returns the name of the first personal field of `profile` that `text` contains: the name,
    /// the email or the street address as written, or the phone number's digits. Values shorter
    /// than two characters, or phones of fewer than six digits, are not looked for.
    static func personalField(of profile: CustomerProfile, in text: String) -> String? {
        let lowered = text.lowercased()
        for (field, value) in [("name", profile.name), ("email", profile.email), ("address", profile.address)] {
            let trimmed = value.trimmingCharacters(in: .whitespaces).lowercased()
            if trimmed.count >= 2 && lowered.contains(trimmed) { return field }
        }
        let phoneDigits = String(PersonalDataMask.digits(of: profile.phone))
        let textDigits = String(PersonalDataMask.digits(of: text))
        if phoneDigits.count >= 6 && textDigits.contains(String(phoneDigits.suffix(8))) { return "phone number" }
        return nil
    }

    /// Returns a ledger that shares this one's storage, master key and actor, but reads and
    /// appends as `role`. Use it to serve readers of several roles from one open ledger.
    public func withRole(_ role: AccessRole) -> Ledger {
        Ledger(sharing: self, role: role)
    }

    /// Returns the fingerprint of the master key of an encrypted ledger, or nil for a ledger that
    /// keeps personal data in clear. It can be shown to tell keys apart; the key cannot be derived from it.
    @available(*, noasync)
    public func masterKeyFingerprint() throws -> String? {
        try environment.read { txn in try schema.masterKeyCheck(txn).map { Hex.string($0.prefix(8)) } }
    }
}
