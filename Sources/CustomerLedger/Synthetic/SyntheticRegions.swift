/// The provinces and cities of the synthetic data set, with the share of customers each gets.
///
/// The names are real province-level divisions and prefecture-level cities of mainland China, and
/// the districts are real districts of those cities. The weights are invented and put Guangdong,
/// Zhejiang, Jiangsu, Shanghai and Beijing ahead. The complaint factors are invented too: five far
/// or slow-to-deliver regions get 1.8 to 3.6 times the average complaint rate, so that regional
/// views find them.
public enum SyntheticRegions {
    public struct Province: Sendable {
        /// The official name, such as `广东省` or `上海市`.
        public let name: String
        /// The relative share of customers, out of the sum of all provinces' weights.
        public let weight: Int
        /// The complaint rate relative to the average province, in percent: 100 is average.
        public let complaintPercent: Int
        public let cities: [City]
    }

    public struct City: Sendable {
        /// The official name, such as `广州市`. A municipality's city has the province's name.
        public let name: String
        /// A short Latin code for store ids, such as `GZ` in `GZ-02`.
        public let code: String
        /// The relative share of the province's customers.
        public let weight: Int
        public let districts: [String]
    }

    public static let provinces: [Province] = [
        Province(name: "广东省", weight: 140, complaintPercent: 90, cities: [
            City(name: "广州市", code: "GZ", weight: 40, districts: ["天河区", "越秀区", "海珠区", "番禺区"]),
            City(name: "深圳市", code: "SZ", weight: 40, districts: ["南山区", "福田区", "宝安区", "龙岗区"]),
            City(name: "东莞市", code: "DG", weight: 10, districts: ["莞城街道", "南城街道", "东城街道"]),
            City(name: "佛山市", code: "FS", weight: 10, districts: ["禅城区", "南海区", "顺德区"]),
        ]),
        Province(name: "浙江省", weight: 95, complaintPercent: 80, cities: [
            City(name: "杭州市", code: "HZ", weight: 55, districts: ["西湖区", "拱墅区", "滨江区", "余杭区"]),
            City(name: "宁波市", code: "NB", weight: 25, districts: ["海曙区", "鄞州区", "江北区"]),
            City(name: "温州市", code: "WZ", weight: 20, districts: ["鹿城区", "瓯海区"]),
        ]),
        Province(name: "江苏省", weight: 90, complaintPercent: 85, cities: [
            City(name: "南京市", code: "NJ", weight: 40, districts: ["玄武区", "鼓楼区", "建邺区"]),
            City(name: "苏州市", code: "SU", weight: 40, districts: ["姑苏区", "吴中区", "相城区"]),
            City(name: "无锡市", code: "WX", weight: 20, districts: ["梁溪区", "滨湖区"]),
        ]),
        Province(name: "上海市", weight: 75, complaintPercent: 95, cities: [
            City(name: "上海市", code: "SH", weight: 1, districts: ["浦东新区", "徐汇区", "静安区", "闵行区"])
        ]),
        Province(name: "北京市", weight: 65, complaintPercent: 100, cities: [
            City(name: "北京市", code: "BJ", weight: 1, districts: ["朝阳区", "海淀区", "东城区", "丰台区"])
        ]),
        Province(name: "山东省", weight: 60, complaintPercent: 100, cities: [
            City(name: "济南市", code: "JN", weight: 45, districts: ["历下区", "市中区"]),
            City(name: "青岛市", code: "QD", weight: 55, districts: ["市南区", "崂山区", "黄岛区"]),
        ]),
        Province(name: "四川省", weight: 55, complaintPercent: 100, cities: [
            City(name: "成都市", code: "CD", weight: 80, districts: ["锦江区", "武侯区", "成华区", "青羊区"]),
            City(name: "绵阳市", code: "MY", weight: 20, districts: ["涪城区", "游仙区"]),
        ]),
        Province(name: "河南省", weight: 45, complaintPercent: 320, cities: [
            City(name: "郑州市", code: "ZZ", weight: 70, districts: ["金水区", "二七区", "中原区"]),
            City(name: "洛阳市", code: "LY", weight: 30, districts: ["洛龙区", "西工区"]),
        ]),
        Province(name: "湖北省", weight: 40, complaintPercent: 100, cities: [
            City(name: "武汉市", code: "WH", weight: 80, districts: ["武昌区", "江汉区", "洪山区"]),
            City(name: "宜昌市", code: "YC", weight: 20, districts: ["西陵区", "伍家岗区"]),
        ]),
        Province(name: "福建省", weight: 40, complaintPercent: 90, cities: [
            City(name: "福州市", code: "FZ", weight: 50, districts: ["鼓楼区", "仓山区"]),
            City(name: "厦门市", code: "XM", weight: 50, districts: ["思明区", "湖里区"]),
        ]),
        Province(name: "湖南省", weight: 35, complaintPercent: 100, cities: [
            City(name: "长沙市", code: "CS", weight: 1, districts: ["岳麓区", "芙蓉区", "天心区"])
        ]),
        Province(name: "安徽省", weight: 30, complaintPercent: 105, cities: [
            City(name: "合肥市", code: "HF", weight: 1, districts: ["蜀山区", "包河区"])
        ]),
        Province(name: "陕西省", weight: 25, complaintPercent: 110, cities: [
            City(name: "西安市", code: "XA", weight: 1, districts: ["雁塔区", "碑林区", "未央区"])
        ]),
        Province(name: "重庆市", weight: 25, complaintPercent: 105, cities: [
            City(name: "重庆市", code: "CQ", weight: 1, districts: ["渝中区", "江北区", "南岸区"])
        ]),
        Province(name: "辽宁省", weight: 25, complaintPercent: 120, cities: [
            City(name: "沈阳市", code: "SY", weight: 55, districts: ["和平区", "沈河区"]),
            City(name: "大连市", code: "DL", weight: 45, districts: ["中山区", "沙河口区"]),
        ]),
        Province(name: "天津市", weight: 20, complaintPercent: 100, cities: [
            City(name: "天津市", code: "TJ", weight: 1, districts: ["和平区", "南开区", "河西区"])
        ]),
        Province(name: "云南省", weight: 15, complaintPercent: 180, cities: [
            City(name: "昆明市", code: "KM", weight: 1, districts: ["五华区", "盘龙区"])
        ]),
        Province(name: "广西壮族自治区", weight: 15, complaintPercent: 300, cities: [
            City(name: "南宁市", code: "NN", weight: 65, districts: ["青秀区", "兴宁区"]),
            City(name: "桂林市", code: "GL", weight: 35, districts: ["秀峰区", "七星区"]),
        ]),
        Province(name: "黑龙江省", weight: 15, complaintPercent: 320, cities: [
            City(name: "哈尔滨市", code: "HRB", weight: 1, districts: ["南岗区", "道里区"])
        ]),
        Province(name: "新疆维吾尔自治区", weight: 8, complaintPercent: 360, cities: [
            City(name: "乌鲁木齐市", code: "URC", weight: 1, districts: ["天山区", "沙依巴克区"])
        ]),
    ]

    /// Returns true when `city` is a city of `province` in ``provinces``.
    public static func contains(province: String, city: String) -> Bool {
        provinces.contains { $0.name == province && $0.cities.contains { $0.name == city } }
    }
}
