/// The feedback of one group, such as a province or a month, and how much of it was complaints.
public struct ComplaintRate: Equatable, Sendable {
    /// The province (empty for customers without one) or the month as `YYYY-MM`.
    public var key: String
    public var feedback: Int
    public var complaints: Int

    /// ``complaints`` / ``feedback``, 0 to 1.
    public var rate: Double { AnalysisMath.ratio(complaints, feedback) }
}

/// The number of feedback events that came through one channel.
public struct ChannelCount: Equatable, Sendable {
    public var channel: FeedbackRecorded.Channel
    public var count: Int
}

/// Feedback over a period: channels, ratings and complaint rates.
public struct FeedbackReport: Equatable, Sendable {
    /// The start of the period, inclusive, or nil for the start of the log.
    public var from: Timestamp?
    /// The end of the period, exclusive, or nil for the end of the log.
    public var to: Timestamp?
    public var total: Int
    public var complaints: Int
    /// One count per channel, in the order of ``FeedbackRecorded/Channel/allCases``, zeros included.
    public var byChannel: [ChannelCount]
    /// Five counts: element 0 for rating 1 up to element 4 for rating 5.
    public var ratings: [Int]
    /// One rate per province with feedback: most complaints first, then most feedback, then by
    /// province name, with the customers without a province (key `""`) last.
    public var byProvince: [ComplaintRate]
    /// One rate per local month from the first to the last with feedback, months without any included.
    public var byMonth: [ComplaintRate]

    /// ``complaints`` / ``total``, 0 to 1.
    public var complaintRate: Double { AnalysisMath.ratio(complaints, total) }
}

extension Ledger {
    /// Counts the feedback that occurred in `[from, to)` by channel, rating, province and month,
    /// with the complaints among it.
    ///
    /// A customer's feedback counts in the province of their profile at the end of the period,
    /// so a customer who moved counts where they live then. Months are local to the time zone
    /// of the program in force at the end of the period. The feedback text is personal data and
    /// is never read.
    /// - Complexity: O(N) for N events: one scan of the log.
    @available(*, noasync)
    public func feedbackSummary(from: Timestamp?, to: Timestamp?) throws -> FeedbackReport {
        try environment.read { txn in
            let end = to.map { Timestamp(microseconds: $0.microseconds - 1) } ?? Timestamp.supportedRange.upperBound
            let calendar = try schema.timeline(txn).program(at: end).calendar
            var provinces: [CustomerID: String] = [:]
            var report = FeedbackReport(
                from: from, to: to, total: 0, complaints: 0,
                byChannel: FeedbackRecorded.Channel.allCases.map { ChannelCount(channel: $0, count: 0) },
                ratings: Array(repeating: 0, count: 5), byProvince: [], byMonth: [])
            var feedbackOf: [CustomerID: (count: Int, complaints: Int)] = [:]
            var months: [Int: (count: Int, complaints: Int)] = [:]

            try scanForAnalysis(txn, lineItems: false) { customer, occurredAt, event in
                if let to, occurredAt >= to { return }
                switch event {
                case .registered(let province, _):
                    provinces[customer] = province
                case .profileUpdated(let province?, _):
                    provinces[customer] = province
                case .feedback(let channel, let rating, let isComplaint):
                    if let from, occurredAt < from { return }
                    report.total += 1
                    let complaint = isComplaint ? 1 : 0
                    report.complaints += complaint
                    report.byChannel[FeedbackRecorded.Channel.allCases.firstIndex(of: channel)!].count += 1
                    // The business rules keep ratings within 1...5.
                    if (1...5).contains(rating) { report.ratings[rating - 1] += 1 }
                    feedbackOf[customer, default: (0, 0)].count += 1
                    feedbackOf[customer]!.complaints += complaint
                    let month = calendar.yearMonth(of: occurredAt).index
                    months[month, default: (0, 0)].count += 1
                    months[month]!.complaints += complaint
                default:
                    break
                }
            }

            var byProvince: [String: ComplaintRate] = [:]
            for (customer, counts) in feedbackOf {
                let province = provinces[customer] ?? ""
                byProvince[province, default: ComplaintRate(key: province, feedback: 0, complaints: 0)].feedback += counts.count
                byProvince[province]!.complaints += counts.complaints
            }
            report.byProvince = byProvince.values.sorted { left, right in
                if left.key.isEmpty != right.key.isEmpty { return right.key.isEmpty }
                if left.complaints != right.complaints { return left.complaints > right.complaints }
                if left.feedback != right.feedback { return left.feedback > right.feedback }
                return left.key < right.key
            }
            if let first = months.keys.min(), let last = months.keys.max() {
                report.byMonth = (first...last).map { index in
                    let counts = months[index] ?? (0, 0)
                    return ComplaintRate(key: YearMonth(index: index).description, feedback: counts.count, complaints: counts.complaints)
                }
            }
            return report
        }
    }
}
