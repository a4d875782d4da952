/// The products of the synthetic data set: a Chinese tea brand's teas, teaware, gift sets and
/// snacks, with prices in CNY minor units (fen).
enum SyntheticCatalog {
    struct Product {
        let sku: String
        let category: String
        /// The list price in fen: 36800 is 368.00 CNY.
        let price: Int64
        /// The relative chance of being in a basket outside a seasonal peak.
        let weight: Int
    }

    static let products: [Product] = [
        Product(sku: "TEA-LJ-250", category: "tea", price: 36_800, weight: 10),  // 西湖龙井 250 g
        Product(sku: "TEA-BLC-100", category: "tea", price: 19_800, weight: 10),  // 碧螺春 100 g
        Product(sku: "TEA-TGY-250", category: "tea", price: 16_800, weight: 12),  // 安溪铁观音 250 g
        Product(sku: "TEA-DHP-200", category: "tea", price: 29_800, weight: 8),  // 武夷大红袍 200 g
        Product(sku: "TEA-PE-357", category: "tea", price: 25_800, weight: 8),  // 普洱饼茶 357 g
        Product(sku: "TEA-JJM-100", category: "tea", price: 32_800, weight: 6),  // 金骏眉 100 g
        Product(sku: "TEA-MLH-100", category: "tea", price: 8_800, weight: 16),  // 茉莉花茶 100 g
        Product(sku: "TEA-BMD-150", category: "tea", price: 21_800, weight: 8),  // 白牡丹 150 g
        Product(sku: "WARE-GW-01", category: "teaware", price: 12_800, weight: 6),  // 盖碗
        Product(sku: "WARE-ZSH-01", category: "teaware", price: 68_000, weight: 2),  // 紫砂壶
        Product(sku: "WARE-GDB-01", category: "teaware", price: 6_800, weight: 6),  // 公道杯
        Product(sku: "WARE-CP-01", category: "teaware", price: 39_800, weight: 2),  // 茶盘
        Product(sku: "WARE-LX-01", category: "teaware", price: 23_800, weight: 4),  // 旅行茶具
        Product(sku: "GIFT-CNY-01", category: "gift", price: 58_800, weight: 1),  // 新春礼盒
        Product(sku: "GIFT-MID-01", category: "gift", price: 48_800, weight: 1),  // 中秋礼盒
        Product(sku: "GIFT-BIZ-01", category: "gift", price: 98_800, weight: 1),  // 商务礼盒
        Product(sku: "SNACK-FLS-01", category: "snack", price: 5_800, weight: 8),  // 凤梨酥
        Product(sku: "SNACK-GZ-01", category: "snack", price: 2_500, weight: 8),  // 瓜子
        Product(sku: "ACC-TIN-01", category: "accessory", price: 4_800, weight: 5),  // 茶叶罐
        Product(sku: "ACC-FILTER-01", category: "accessory", price: 1_500, weight: 5),  // 滤网
    ]

    static let weights = products.map(\.weight)

    static func index(of sku: String) -> Int {
        products.firstIndex { $0.sku == sku }!
    }

    static let springFestivalGift = index(of: "GIFT-CNY-01")
    static let midAutumnGift = index(of: "GIFT-MID-01")
    static let businessGift = index(of: "GIFT-BIZ-01")

    /// The rewards that points buy: reward id and points.
    static let rewards: [(id: String, points: Int64)] = [
        ("free-shipping", 200), ("sample-pack", 500), ("coupon-30", 1_000), ("teaware-gift", 3_000),
    ]

    /// Online shops and apps, for the store of purchases outside physical stores.
    static let onlineStores = ["tmall", "jd", "official-site"]
}
