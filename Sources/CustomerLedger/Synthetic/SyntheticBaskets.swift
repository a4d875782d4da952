/// The line items and sales channels of synthetic purchases.
enum SyntheticBaskets {
    /// Returns the line items of an order on `day`, each SKU once. Gift sets sell before the
    /// Spring Festival and the Mid-Autumn Festival, and loyal customers buy larger baskets and
    /// more expensive teaware and gifts.
    static func basket(on day: CivilDate, loyal: Bool, random: inout SeededGenerator) -> [LineItem] {
        let catalog = SyntheticCatalog.products
        var chosen: [Int] = []
        if let days = SyntheticSeasons.daysUntilSpringFestival(day), (1...21).contains(days), random.chance(0.35) {
            chosen.append(SyntheticCatalog.springFestivalGift)
        }
        if let days = SyntheticSeasons.daysUntilMidAutumn(day), (1...20).contains(days), random.chance(0.3) {
            chosen.append(SyntheticCatalog.midAutumnGift)
        }
        if loyal, random.chance(0.15) { chosen.append(SyntheticCatalog.businessGift) }
        let itemCount = 1 + random.weightedIndex(loyal ? [30, 35, 20, 15] : [60, 28, 12])
        while chosen.count < itemCount {
            let index = random.weightedIndex(SyntheticCatalog.weights)
            if !chosen.contains(index) { chosen.append(index) }
        }
        return chosen.map { index in
            let product = catalog[index]
            let quantity = Int64(1 + random.weightedIndex(loyal ? [55, 30, 15] : [75, 18, 7]))
            return LineItem(sku: product.sku, quantity: quantity, unitPrice: product.price, category: product.category)
        }
    }

    /// Returns the channel and store of an order by a customer living in `city`: an online shop,
    /// the app, the mini-program or one of the city's three stores, such as `GZ-02`.
    static func channel(in city: SyntheticRegions.City, random: inout SeededGenerator) -> (channel: String, store: String) {
        switch random.weightedIndex([45, 25, 10, 20]) {
        case 0: return ("online", random.element(of: SyntheticCatalog.onlineStores))
        case 1: return ("app", "")
        case 2: return ("mini-program", "")
        default: return ("store", "\(city.code)-0\(random.integer(in: 1...3))")
        }
    }
}
