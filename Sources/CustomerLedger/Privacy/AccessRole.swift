/// The access level of a reader: which personal data the ledger returns to it.
///
/// Roles decide what the library returns, and the master key decides what can be decrypted at
/// all. So give an analyst no key file: without the key, personal data stays ciphertext whatever the role.
public enum AccessRole: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Sees and changes everything, and is the only role that may erase customers or export a
    /// customer's data.
    case admin
    /// Sees personal data with phone numbers and email addresses masked, and may append events.
    case support
    /// Sees no personal data at all, and may not append events.
    case analyst

    public var description: String { rawValue }

    var mayAppend: Bool { self != .analyst }
}

/// How much of an event's or a customer's personal data a read returned.
public enum PersonalDataStatus: Equatable, Sendable, CustomStringConvertible {
    /// The event has no personal fields.
    case none
    /// Every personal field is shown as stored.
    case shown
    /// Shown with phone and email masked, for the support role.
    case masked
    /// The personal fields are empty because they cannot or may not be shown.
    case withheld(WithheldReason)

    public var description: String {
        switch self {
        case .none: "none"
        case .shown: "shown"
        case .masked: "masked"
        case .withheld(let reason): "withheld (\(reason))"
        }
    }

    /// True when the personal fields hold no real data.
    public var isWithheld: Bool {
        if case .withheld = self { return true }
        return false
    }
}

/// The reason personal fields are empty.
public enum WithheldReason: String, Equatable, Sendable, CustomStringConvertible {
    /// The ledger was opened without its master key.
    case noKey = "no master key"
    /// The customer was erased, and their data key destroyed.
    case erased = "erased"
    /// The reader's role may not see personal data.
    case role = "analyst role"
    /// The read left personal data out, as aggregate queries may ask.
    case notRequested = "not requested"

    public var description: String { rawValue }
}

/// Masks of personal data for the support role.
public enum PersonalDataMask {
    /// Keeps the first three and last four digits of a phone number, such as `138****5678`. A
    /// leading country code such as `+86` is kept; spaces and dashes are dropped. Numbers of
    /// seven digits or fewer keep only their last two.
    public static func phone(_ phone: String) -> String {
        guard !phone.isEmpty else { return phone }
        var prefix = ""
        var rest = Substring(phone)
        if rest.hasPrefix("+"), let space = rest.firstIndex(where: { $0 == " " || $0 == "-" }) {
            prefix = String(rest[..<space]) + " "
            rest = rest[rest.index(after: space)...]
        }
        let digits = rest.filter { !$0.isWhitespace && $0 != "-" }
        let characters = Array(digits)
        if characters.count <= 7 {
            return prefix + String(repeating: "*", count: max(characters.count - 2, 1)) + String(characters.suffix(2))
        }
        return prefix + String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 7)
            + String(characters.suffix(4))
    }

    /// Keeps the first character of the local part and the domain, such as `z***@example.com`.
    /// Text without `@` is masked entirely.
    public static func email(_ email: String) -> String {
        guard !email.isEmpty else { return email }
        guard let at = email.lastIndex(of: "@"), at != email.startIndex else {
            return String(repeating: "*", count: min(email.count, 8))
        }
        return String(email[email.startIndex]) + "***" + String(email[at...])
    }
}
