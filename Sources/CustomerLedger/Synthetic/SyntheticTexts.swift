/// The Chinese texts of the synthetic data set: feedback, call-back notes and refund reasons.
///
/// Refund reasons and adjustment reasons are stored in clear, so they name the case and never
/// the customer.
enum SyntheticTexts {
    /// Feedback of satisfied customers, for ratings of 4 and 5.
    static let praise = [
        "茶叶很新鲜，包装也很精美，会回购。",
        "物流很快，第二天就到了。",
        "客服态度很好，已经推荐给朋友了。",
        "味道醇厚，性价比很高。",
        "送礼很有面子，家人都很喜欢。",
        "香气很足，冲泡好几次还有味道。",
        "门店店员很专业，讲解得很细致。",
        "会员积分换的小样也很好喝。",
    ]

    /// Feedback with reservations, for a rating of 3.
    static let neutral = [
        "还可以，就是价格有点贵。",
        "包装一般，茶叶味道还行。",
        "发货稍慢，其他都满意。",
        "口感偏淡，下次试试别的。",
        "赠品没有描述的那么好。",
    ]

    /// Complaints, for ratings of 1 and 2.
    static let complaints = [
        "快递太慢了，等了一个多星期。",
        "收到时包装破损，茶叶洒了一半。",
        "茶叶有受潮的味道，希望给个说法。",
        "客服回复很慢，问题一直没有解决。",
        "发错货了，买的是龙井，收到的是碧螺春。",
        "退款到现在还没到账。",
        "双十一下单，半个月才发货。",
        "礼盒有压痕，没法送人。",
    ]

    /// Notes of phone call-backs after a complaint that the call resolved.
    static let resolvedCallbacks = [
        "回访：已补发商品，客户表示满意。",
        "回访：已办理退款，客户接受处理结果。",
        "回访：已致歉并补偿积分，客户满意。",
    ]

    /// Notes of phone call-backs after a complaint that the call did not resolve.
    static let unresolvedCallbacks = [
        "回访：客户仍不满意，要求进一步补偿。",
        "回访：客户未接电话，短信告知处理进度。",
        "回访：客户要求投诉到平台，已升级处理。",
    ]

    static let refundReasons = ["商品破损", "发错货", "口味不喜欢", "七天无理由退货", "物流太慢", "重复下单"]

    /// The reason of the points given to make up for a complaint.
    static let compensationReason = "投诉补偿"
}
