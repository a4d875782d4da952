import Foundation
import Testing

@testable import CustomerLedger

@Suite struct RegionReportTests {
    func fixture(_ directory: TemporaryDirectory) throws -> Ledger {
        let events = [
            registration(customer: 1, at: time("2024-01-01"), province: "上海市", city: "上海市"),
            registration(customer: 2, at: time("2024-01-01"), province: "浙江省", city: "杭州市"),
            registration(customer: 3, at: time("2024-01-01"), province: "浙江省", city: "宁波市"),
            registration(customer: 4, at: time("2024-01-01"), province: "浙江省", city: "杭州市"),
            registration(customer: 5, at: time("2024-01-01"), province: "", city: ""),
            purchase(customer: 1, order: "1-a", amount: cny("100.00"), at: time("2024-01-10")),
            purchase(customer: 2, order: "2-a", amount: cny("200.00"), at: time("2024-01-11")),
            purchase(customer: 4, order: "4-a", amount: cny("50.00"), at: time("2024-02-01")),
            purchase(customer: 5, order: "5-a", amount: cny("10.00"), at: time("2024-02-02")),
            profileUpdate(customer: 4, changes: ProfileChanges(province: "江苏省", city: "南京市"), at: time("2024-03-01")),
            refund(customer: 1, order: "1-a", amount: cny("30.00"), at: time("2024-04-01")),
            registration(customer: 6, at: time("2024-07-01"), province: "北京市", city: "北京市"),
        ]
        return try analysisLedger(directory, events: events)
    }

    func summary(_ province: String, _ city: String, _ customers: Int, _ buyers: Int, _ net: Int64, _ average: Int64)
        -> RegionSummary
    {
        RegionSummary(
            province: province, city: city, customers: customers, purchasingCustomers: buyers, netSpend: net,
            averageNetSpend: average)
    }

    @Test func byProvince() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).regions(by: .province, asOf: time("2024-06-30"))

        #expect(report.currency == .cny)
        #expect(report.regions == [
            summary("浙江省", "", 2, 1, 20_000, 10_000),
            summary("上海市", "", 1, 1, 7_000, 7_000),
            summary("江苏省", "", 1, 1, 5_000, 5_000),
            summary("", "", 1, 1, 1_000, 1_000),
        ])
    }

    @Test func byCity() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).regions(by: .city, asOf: time("2024-06-30"))

        #expect(report.regions == [
            summary("浙江省", "杭州市", 1, 1, 20_000, 20_000),
            summary("上海市", "上海市", 1, 1, 7_000, 7_000),
            summary("江苏省", "南京市", 1, 1, 5_000, 5_000),
            summary("", "", 1, 1, 1_000, 1_000),
            summary("浙江省", "宁波市", 1, 0, 0, 0),
        ])
    }

    @Test func regionAsOfEarlierInstant() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).regions(by: .province, asOf: time("2024-02-15"))

        // Customer 4 still lives in 浙江省, and customer 1's refund has not happened yet.
        #expect(report.regions == [
            summary("浙江省", "", 3, 2, 25_000, 8_333),
            summary("上海市", "", 1, 1, 10_000, 10_000),
            summary("", "", 1, 1, 1_000, 1_000),
        ])
    }

    @Test func readsWithoutMasterKey() throws {
        let directory = try TemporaryDirectory()
        _ = try fixture(directory)
        let reader = try openLedger(at: directory.path + "/db", readOnly: true, masterKey: nil, role: .analyst)
        let report = try reader.regions(by: .city, asOf: time("2024-06-30"))
        #expect(report.regions.first?.city == "杭州市")
    }
}
