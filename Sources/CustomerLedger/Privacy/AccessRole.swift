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
    /// Keeps the first three and last four digits of a phone number of 11 digits or more, such as
    /// `138****5678`, and a country code of one to three digits written as `+86 ` in front.
    /// Numbers of 8 to 10 digits keep their last four digits, of 5 to 7 their last two, and
    /// shorter ones none. Everything else, such as spaces, dashes and words, is dropped, so that
    /// no character of the number can pass unmasked.
    public static func phone(_ phone: String) -> String {
        let digits = Self.digits(of: phone)
        guard !digits.isEmpty else { return phone.isEmpty ? "" : "***" }
        var prefix = ""
        var local = digits[...]
        let trimmed = phone.drop { $0 == " " }
        if trimmed.hasPrefix("+") {
            let code = trimmed.dropFirst().prefix { $0.isASCII && $0.isNumber }
            let separated = trimmed.dropFirst(code.count + 1).first.map { $0 == " " || $0 == "-" } ?? false
            if (1...3).contains(code.count), separated, digits.count - code.count >= 8 {
                prefix = "+" + code + " "
                local = local.dropFirst(code.count)
            }
        }
        let count = local.count
        if count >= 11 {
            return prefix + String(local.prefix(3)) + String(repeating: "*", count: count - 7) + String(local.suffix(4))
        }
        if count >= 8 { return prefix + String(repeating: "*", count: count - 4) + String(local.suffix(4)) }
        if count >= 5 { return prefix + String(repeating: "*", count: count - 2) + String(local.suffix(2)) }
        return prefix + String(repeating: "*", count: count)
    }

    /// Returns the ASCII digits of `text`, in order.
    static func digits(of text: String) -> [Character] {
        text.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init)
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
