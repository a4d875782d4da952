import Foundation
import Testing

@testable import CustomerLedger

@Suite struct FeedbackReportTests {
    func fixture(_ directory: TemporaryDirectory) throws -> Ledger {
        let events = [
            registration(customer: 1, at: time("2024-01-01"), province: "上海市", city: "上海市"),
            registration(customer: 2, at: time("2024-01-01"), province: "浙江省", city: "杭州市"),
            registration(customer: 3, at: time("2024-01-01"), province: "", city: ""),
            feedback(customer: 1, channel: .survey, rating: 5, complaint: false, at: time("2024-01-10")),
            feedback(customer: 1, channel: .phoneCallback, rating: 2, complaint: true, at: time("2024-02-03")),
            feedback(customer: 2, channel: .onlineReview, rating: 1, complaint: true, at: time("2024-02-20")),
            feedback(customer: 3, channel: .survey, rating: 3, complaint: false, at: time("2024-03-01")),
            profileUpdate(customer: 2, changes: ProfileChanges(province: "江苏省"), at: time("2024-03-15")),
            feedback(customer: 2, channel: .survey, rating: 4, complaint: false, at: time("2024-04-05")),
        ]
        return try analysisLedger(directory, events: events)
    }

    @Test func firstQuarterCounts() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).feedbackSummary(from: time("2024-01-01"), to: time("2024-04-01"))

        #expect(report.total == 4)
        #expect(report.complaints == 2)
        #expect(report.complaintRate == 0.5)
        #expect(report.byChannel == [
            ChannelCount(channel: .survey, count: 2), ChannelCount(channel: .phoneCallback, count: 1),
            ChannelCount(channel: .onlineReview, count: 1),
        ])
        #expect(report.ratings == [1, 1, 1, 0, 1])
        // Customer 2 moved to 江苏省 before the end of the period, so their complaint counts there.
        // The provinces come by complaints, then feedback, and customers without a province last.
        #expect(report.byProvince == [
            ComplaintRate(key: "上海市", feedback: 2, complaints: 1),
            ComplaintRate(key: "江苏省", feedback: 1, complaints: 1),
            ComplaintRate(key: "", feedback: 1, complaints: 0),
        ])
        #expect(report.byMonth == [
            ComplaintRate(key: "2024-01", feedback: 1, complaints: 0),
            ComplaintRate(key: "2024-02", feedback: 2, complaints: 2),
            ComplaintRate(key: "2024-03", feedback: 1, complaints: 0),
        ])
        #expect(report.byProvince[0].rate == 0.5)
    }

    @Test func provinceAtEndOfEarlierPeriod() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).feedbackSummary(from: nil, to: time("2024-03-01"))

        #expect(report.total == 3)
        #expect(report.byProvince.map(\.key) == ["上海市", "浙江省"])
        #expect(report.byMonth.map(\.key) == ["2024-01", "2024-02"])
    }

    @Test func wholeLogCounts() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).feedbackSummary(from: nil, to: nil)

        #expect(report.total == 5)
        #expect(report.ratings == [1, 1, 1, 1, 1])
        #expect(report.byMonth.map(\.key) == ["2024-01", "2024-02", "2024-03", "2024-04"])
        #expect(report.byProvince.first { $0.key == "江苏省" }?.feedback == 2)
    }
}
