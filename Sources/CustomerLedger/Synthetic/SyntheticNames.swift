/// The surnames and given-name characters of the synthetic data set, with their pinyin for email
/// addresses.
///
/// The surnames are 50 of the most common in mainland China and the compound surname 欧阳. Their
/// weights estimate each one's share of the population in hundredths of a percent, from memory of
/// published rankings, so they are plausible rather than exact.
/// The given-name characters are common in names of people born from the 1960s to the 2000s.
enum SyntheticNames {
    struct Surname {
        let text: String
        let pinyin: String
        let weight: Int
    }

    static let surnames: [Surname] = [
        Surname(text: "王", pinyin: "wang", weight: 710), Surname(text: "李", pinyin: "li", weight: 700),
        Surname(text: "张", pinyin: "zhang", weight: 670), Surname(text: "刘", pinyin: "liu", weight: 540),
        Surname(text: "陈", pinyin: "chen", weight: 450), Surname(text: "杨", pinyin: "yang", weight: 310),
        Surname(text: "黄", pinyin: "huang", weight: 220), Surname(text: "赵", pinyin: "zhao", weight: 200),
        Surname(text: "吴", pinyin: "wu", weight: 180), Surname(text: "周", pinyin: "zhou", weight: 170),
        Surname(text: "徐", pinyin: "xu", weight: 130), Surname(text: "孙", pinyin: "sun", weight: 120),
        Surname(text: "马", pinyin: "ma", weight: 120), Surname(text: "朱", pinyin: "zhu", weight: 110),
        Surname(text: "胡", pinyin: "hu", weight: 100), Surname(text: "郭", pinyin: "guo", weight: 97),
        Surname(text: "何", pinyin: "he", weight: 90), Surname(text: "林", pinyin: "lin", weight: 86),
        Surname(text: "高", pinyin: "gao", weight: 85), Surname(text: "罗", pinyin: "luo", weight: 80),
        Surname(text: "郑", pinyin: "zheng", weight: 75), Surname(text: "梁", pinyin: "liang", weight: 70),
        Surname(text: "谢", pinyin: "xie", weight: 60), Surname(text: "宋", pinyin: "song", weight: 55),
        Surname(text: "唐", pinyin: "tang", weight: 55), Surname(text: "许", pinyin: "xu", weight: 50),
        Surname(text: "韩", pinyin: "han", weight: 50), Surname(text: "邓", pinyin: "deng", weight: 50),
        Surname(text: "冯", pinyin: "feng", weight: 48), Surname(text: "曹", pinyin: "cao", weight: 47),
        Surname(text: "彭", pinyin: "peng", weight: 45), Surname(text: "曾", pinyin: "zeng", weight: 44),
        Surname(text: "肖", pinyin: "xiao", weight: 42), Surname(text: "田", pinyin: "tian", weight: 40),
        Surname(text: "董", pinyin: "dong", weight: 38), Surname(text: "潘", pinyin: "pan", weight: 35),
        Surname(text: "袁", pinyin: "yuan", weight: 35), Surname(text: "蔡", pinyin: "cai", weight: 33),
        Surname(text: "蒋", pinyin: "jiang", weight: 33), Surname(text: "余", pinyin: "yu", weight: 32),
        Surname(text: "于", pinyin: "yu", weight: 32), Surname(text: "杜", pinyin: "du", weight: 31),
        Surname(text: "叶", pinyin: "ye", weight: 30), Surname(text: "程", pinyin: "cheng", weight: 30),
        Surname(text: "魏", pinyin: "wei", weight: 29), Surname(text: "苏", pinyin: "su", weight: 28),
        Surname(text: "吕", pinyin: "lyu", weight: 28), Surname(text: "丁", pinyin: "ding", weight: 27),
        Surname(text: "任", pinyin: "ren", weight: 27), Surname(text: "沈", pinyin: "shen", weight: 26),
        Surname(text: "欧阳", pinyin: "ouyang", weight: 5),
    ]

    static let surnameWeights = surnames.map(\.weight)

    /// Given-name characters and their pinyin.
    static let givenCharacters: [(text: String, pinyin: String)] = [
        ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
        ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
        ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
        ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"), ("萍", "ping"), ("红", "hong"), ("鹏", "peng"),
        ("辉", "hui"), ("建", "jian"), ("文", "wen"), ("斌", "bin"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"),
        ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("晨", "chen"), ("欣", "xin"), ("怡", "yi"), ("梓", "zi"),
        ("涵", "han"), ("子", "zi"), ("轩", "xuan"), ("一", "yi"), ("诺", "nuo"), ("思", "si"), ("雨", "yu"),
        ("嘉", "jia"), ("佳", "jia"), ("俊", "jun"), ("博", "bo"), ("天", "tian"), ("瑶", "yao"), ("慧", "hui"),
        ("颖", "ying"), ("丹", "dan"), ("志", "zhi"), ("海", "hai"), ("晓", "xiao"), ("倩", "qian"), ("欢", "huan"),
        ("云", "yun"), ("峰", "feng"), ("阳", "yang"), ("成", "cheng"), ("宁", "ning"), ("安", "an"), ("然", "ran"),
        ("紫", "zi"), ("睿", "rui"), ("泽", "ze"), ("昊", "hao"), ("彤", "tong"),
    ]

    /// Prefixes of mainland mobile numbers of China Mobile, China Unicom and China Telecom.
    static let mobilePrefixes = [
        "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "182", "183",
        "187", "188", "130", "131", "132", "155", "156", "176", "185", "186", "133", "153", "177", "180", "181",
        "189", "199",
    ]

    /// Domains reserved for examples (RFC 2606), so that no generated address reaches a real mailbox.
    static let emailDomains = ["example.com", "example.net", "example.org"]

    /// Common road names, for street addresses.
    static let roads = [
        "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路", "长江路", "黄河路", "延安路", "胜利路",
        "朝阳路", "青年路", "学府路", "光明路", "滨江路", "花园路", "迎宾大道", "科技路", "东风路",
    ]

    /// Common residential compound names, for street addresses.
    static let compounds = ["阳光花园", "锦绣家园", "翠湖苑", "金色家园", "幸福里", "华府小区", "绿城小区", "春天花园", "书香苑", "南湖新村"]
}
