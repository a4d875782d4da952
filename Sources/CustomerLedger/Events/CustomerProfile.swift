/// The personal and regional details of a customer.
///
/// Name, phone, email, birthday and street address are personal data and are stored apart from
/// the rest of each event. Province and city stay in clear for regional analysis.
public struct CustomerProfile: Equatable, Sendable {
    public var name: String
    public var phone: String
    public var email: String
    public var birthday: CivilDate?
    public var province: String
    public var city: String
    public var address: String

    public init(
        name: String, phone: String = "", email: String = "", birthday: CivilDate? = nil,
        province: String = "", city: String = "", address: String = ""
    ) {
        self.name = name
        self.phone = phone
        self.email = email
        self.birthday = birthday
        self.province = province
        self.city = city
        self.address = address
    }

    /// Applies the fields that `changes` sets.
    public mutating func apply(_ changes: ProfileChanges) {
        if let name = changes.name { self.name = name }
        if let phone = changes.phone { self.phone = phone }
        if let email = changes.email { self.email = email }
        if let birthday = changes.birthday { self.birthday = birthday }
        if let province = changes.province { self.province = province }
        if let city = changes.city { self.city = city }
        if let address = changes.address { self.address = address }
    }
}

/// The profile fields a ``ProfileUpdated`` event changes; nil means unchanged.
public struct ProfileChanges: Equatable, Sendable {
    public var name: String?
    public var phone: String?
    public var email: String?
    public var birthday: CivilDate?
    public var province: String?
    public var city: String?
    public var address: String?
    /// The names of the personal fields that the event changes but whose values a read withheld,
    /// such as `birthday`. Their text fields are empty strings, and a withheld birthday is nil.
    /// Empty for every change that a caller builds.
    public internal(set) var withheldFields: [String] = []

    public init(
        name: String? = nil, phone: String? = nil, email: String? = nil, birthday: CivilDate? = nil,
        province: String? = nil, city: String? = nil, address: String? = nil
    ) {
        self.name = name
        self.phone = phone
        self.email = email
        self.birthday = birthday
        self.province = province
        self.city = city
        self.address = address
    }

    public var isEmpty: Bool {
        name == nil && phone == nil && email == nil && birthday == nil && province == nil && city == nil
            && address == nil && withheldFields.isEmpty
    }

    /// The names of the fields that are set or withheld, in a fixed order.
    public var changedFields: [String] {
        var fields: [String] = []
        if name != nil { fields.append("name") }
        if phone != nil { fields.append("phone") }
        if email != nil { fields.append("email") }
        if birthday != nil || withheldFields.contains("birthday") { fields.append("birthday") }
        if province != nil { fields.append("province") }
        if city != nil { fields.append("city") }
        if address != nil { fields.append("address") }
        return fields
    }
}
