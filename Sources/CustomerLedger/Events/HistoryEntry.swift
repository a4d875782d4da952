/// One event of a customer's history, with the profile values that it replaced.
public struct HistoryEntry: Equatable, Sendable {
    public var event: RecordedEvent
    /// For a ``EventType/profileUpdated`` event, every field that it sets, in ``ProfileField``
    /// order, with the value before and after the event. A field set to the value it already had
    /// is listed too, with equal values. Empty for every other event.
    public var changes: [ProfileFieldChange]

    public init(event: RecordedEvent, changes: [ProfileFieldChange] = []) {
        self.event = event
        self.changes = changes
    }
}

/// A field of ``CustomerProfile``.
public enum ProfileField: String, CaseIterable, Sendable, CustomStringConvertible {
    case name
    case phone
    case email
    case birthday
    case province
    case city
    case address

    /// The field's name, as ``ProfileChanges/changedFields`` lists it.
    public var description: String { rawValue }

    /// Returns the field's value in `profile` as text: a birthday as `YYYY-MM-DD`, and an
    /// empty string for a field that is not set.
    public func value(in profile: CustomerProfile) -> String {
        switch self {
        case .name: profile.name
        case .phone: profile.phone
        case .email: profile.email
        case .birthday: profile.birthday?.description ?? ""
        case .province: profile.province
        case .city: profile.city
        case .address: profile.address
        }
    }
}

/// A profile field that an event set, with its value before and after, as ``ProfileField/value(in:)``
/// formats them. An empty string means that the field was not set.
public struct ProfileFieldChange: Equatable, Sendable {
    public var field: ProfileField
    public var oldValue: String
    public var newValue: String

    public init(field: ProfileField, oldValue: String, newValue: String) {
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
    }
}

extension ProfileChanges {
    /// Returns each field that these changes set, in ``ProfileField`` order, with its value in
    /// `profile` before the changes and its value after them.
    public func fieldChanges(from profile: CustomerProfile) -> [ProfileFieldChange] {
        var updated = profile
        updated.apply(self)
        let setFields = Set(changedFields)
        return ProfileField.allCases.filter { setFields.contains($0.rawValue) }.map { field in
            ProfileFieldChange(field: field, oldValue: field.value(in: profile), newValue: field.value(in: updated))
        }
    }
}
