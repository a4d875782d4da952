import Foundation
import Testing

/// Runs `ledger arguments` against the suite's fixture ledger.
private func ledger(_ arguments: String..., environment: [String: String] = [:]) async throws -> CommandResult {
    try await LedgerProcess.run(arguments, database: try AnalysisFixtureLedger.database(), environment: environment)
}

/// Returns `object[key]` as a JSON object, array or number, failing the test when it is another type.
private func member<T>(_ object: [String: Any], _ key: String, as type: T.Type = [String: Any].self) throws -> T {
    try #require(object[key] as? T, "\(key) is missing or not a \(T.self) in \(object)")
}

/// Returns the minor units of a JSON money object, or nil for another value.
private func minorUnits(_ value: Any?) -> Int? {
    (value as? [String: Any])?["minor_units"] as? Int
}

@Suite("Analysis commands on a small fixture", .analysisFixture)
struct AnalysisCommandTests {
    // The figures are worked out in AnalysisFixture's documentation. As of 2024-03-10, R ranks
    // the last purchase days 01-20 (3), 02-05 (2), 03-01 (1): 1, 2, 4. F ranks 1, 1, 2 purchases:
    // 1, 1, 4. M ranks 20, 200, 230 yuan: 1, 2, 4.

    @Test func segmentsTable() async throws {
        let result = try await ledger("segments")
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines.prefix(4) == [
            "RFM segments as of 2024-03-10: 3 customers with purchases, amounts in CNY",
            "",
            "SEGMENT              CUSTOMERS  SHARE   NET SPEND  AVERAGE SPEND",
            "-------------------  ---------  -----  ----------  -------------",
        ])
        #expect(result.outputLines[4] == "champions                    1  33.3%  230.00 CNY     230.00 CNY")
        #expect(result.outputLines.contains("hibernating                  1  33.3%  200.00 CNY     200.00 CNY"))
        #expect(result.outputLines.contains("lost                         1  33.3%   20.00 CNY      20.00 CNY"))
        #expect(result.outputLines.count == 15)
    }

    @Test func segmentsJSON() async throws {
        let result = try await ledger("segments", "--json")
        #expect(result.status == 0, "\(result)")
        let object = try jsonObject(result)
        #expect(object["as_of"] as? String == "2024-03-10T00:00:00Z")
        #expect(object["customers"] as? Int == 3)
        let segments = try member(object, "segments", as: [[String: Any]].self)
        #expect(segments.count == 11)
        let champions = try #require(segments.first { $0["segment"] as? String == "champions" })
        #expect(champions["customers"] as? Int == 1)
        #expect(minorUnits(champions["net_spend"]) == 23_000)
        #expect(minorUnits(champions["average_net_spend"]) == 23_000)
        let counts = try member(object, "score_counts")
        #expect(counts["recency"] as? [Int] == [1, 1, 0, 1, 0])
        #expect(counts["frequency"] as? [Int] == [2, 0, 0, 1, 0])
    }

    @Test func customerShowsScores() async throws {
        let text = try await ledger("customer", "1")
        #expect(text.status == 0, "\(text)")
        #expect(text.outputLines.contains("rfm           R 4, F 4, M 4: champions (last purchase 9 days before 2024-03-10, 2 purchases, 230.00 CNY net)"))

        // The scores rank every customer as of an instant, which a position does not fix.
        let atPosition = try await ledger("customer", "1", "--as-of-position", "8")
        #expect(atPosition.status == 0, "\(atPosition)")
        #expect(atPosition.outputLines.contains("rfm           not shown with --as-of-position, because the scores rank every customer as of an instant; use --as-of"))

        let json = try jsonObject(try await ledger("customer", "2", "--json"))
        let rfm = try member(json, "rfm")
        #expect(rfm["recency"] as? Int == 2)
        #expect(rfm["frequency"] as? Int == 1)
        #expect(rfm["monetary"] as? Int == 2)
        #expect(rfm["segment"] as? String == "hibernating")
        #expect(rfm["recency_days"] as? Int == 34)
        #expect(minorUnits(rfm["net_spend"]) == 20_000)

        let none = try await ledger("customer", "4")
        #expect(none.outputLines.contains("rfm           none: no purchase in CNY as of 2024-03-10"))
        #expect(try jsonObject(try await ledger("customer", "4", "--json"))["rfm"] is NSNull)
    }

    @Test func purchasesJSON() async throws {
        let result = try await ledger("purchases", "--json", "-n", "2")
        #expect(result.status == 0, "\(result)")
        let object = try jsonObject(result)
        #expect(object["orders"] as? Int == 4)
        #expect(object["customers"] as? Int == 3)
        #expect(object["repeat_customers"] as? Int == 1)
        #expect(object["repeat_purchase_rate"] as? Double == 0.333333)
        #expect(minorUnits(object["gross_revenue"]) == 55_000)
        #expect(minorUnits(object["refunds"]) == 10_000)
        #expect(minorUnits(object["net_revenue"]) == 45_000)
        #expect(minorUnits(object["average_order_value"]) == 13_750)
        let byRevenue = try member(object, "top_skus_by_revenue", as: [[String: Any]].self)
        #expect(byRevenue.map { $0["sku"] as? String } == ["POT", "TEA"])
        #expect(minorUnits(byRevenue[1]["revenue"]) == 18_000)
        #expect(byRevenue[1]["units"] as? Int == 3)
        #expect(byRevenue[1]["orders"] as? Int == 2)
        let byUnits = try member(object, "top_skus_by_units", as: [[String: Any]].self)
        #expect(byUnits.map { $0["sku"] as? String } == ["TEA", "CUP"])
        let months = try member(object, "months", as: [[String: Any]].self)
        #expect(months.map { $0["month"] as? String } == ["2024-01", "2024-02", "2024-03"])
        #expect(months.map { minorUnits($0["gross"]) } == [17_000, 30_000, 8_000])
        #expect(months.map { minorUnits($0["net"]) } == [17_000, 30_000, -2_000])
    }

    @Test func purchasesPeriodText() async throws {
        let result = try await ledger("purchases", "--from", "2024-02-01", "--to", "2024-03-01")
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines.prefix(5) == [
            "period         from 2024-02-01 to 2024-03-01 (exclusive)",
            "orders         1 by 1 customer",
            "repeat rate    0.0%: 0 of 1 customers bought twice or more",
            "revenue        300.00 CNY gross, 0.00 CNY refunded, 300.00 CNY net",
            "average order  300.00 CNY",
        ])
    }

    @Test func cohortsJSON() async throws {
        let object = try jsonObject(try await ledger("cohorts", "--json"))
        let cohorts = try member(object, "cohorts", as: [[String: Any]].self)
        #expect(cohorts.map { $0["month"] as? String } == ["2024-01", "2024-02"])
        #expect(cohorts.map { $0["customers"] as? Int } == [2, 1])
        #expect(cohorts.map { $0["active"] as? [Int] } == [[2, 0, 1], [1, 0]])
        #expect(cohorts[0]["retention"] as? [Double] == [1, 0, 0.5])
    }

    @Test func regionsAlignChineseNames() async throws {
        let result = try await ledger("regions", "--by", "city")
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == [
            "customers by city as of 2024-03-10, amounts in CNY; average spend is per registered customer",
            "",
            "PROVINCE  CITY    CUSTOMERS  BUYERS   NET SPEND  AVERAGE SPEND",
            "--------  ------  ---------  ------  ----------  -------------",
            "上海市    上海市          1       1  230.00 CNY     230.00 CNY",
            "浙江省    杭州市          1       1  200.00 CNY     200.00 CNY",
            "浙江省    宁波市          1       1   20.00 CNY      20.00 CNY",
            "(none)    (none)          1       0    0.00 CNY       0.00 CNY",
        ])
    }

    @Test func regionsJSONWithoutKey() async throws {
        let result = try await ledger("regions", "--json", "--role", "analyst", environment: ["LEDGER_KEY_FILE": ""])
        #expect(result.status == 0, "\(result)")
        let regions = try member(try jsonObject(result), "regions", as: [[String: Any]].self)
        #expect(regions.map { $0["province"] as? String } == ["上海市", "浙江省", ""])
        #expect(regions.map { $0["customers"] as? Int } == [1, 2, 1])
        #expect(regions.map { minorUnits($0["net_spend"]) } == [23_000, 22_000, 0])
        #expect(regions.map { minorUnits($0["average_net_spend"]) } == [23_000, 11_000, 0])
    }

    @Test func feedbackJSON() async throws {
        let object = try jsonObject(try await ledger("feedback", "--json"))
        #expect(object["feedback"] as? Int == 2)
        #expect(object["complaints"] as? Int == 1)
        #expect(object["complaint_rate"] as? Double == 0.5)
        let channels = try member(object, "by_channel")
        #expect(channels["survey"] as? Int == 1)
        #expect(channels["phone-callback"] as? Int == 0)
        #expect(channels["online-review"] as? Int == 1)
        let ratings = try member(object, "ratings")
        #expect((1...5).map { ratings["\($0)"] as? Int } == [0, 1, 0, 0, 1])
        let provinces = try member(object, "by_province", as: [[String: Any]].self)
        #expect(provinces.count == 1)
        #expect(provinces.first?["province"] as? String == "浙江省")
        #expect(provinces.first?["complaints"] as? Int == 1)
        let months = try member(object, "by_month", as: [[String: Any]].self)
        #expect(months.map { $0["month"] as? String } == ["2024-01", "2024-02", "2024-03"])
        #expect(months.map { $0["feedback"] as? Int } == [1, 0, 1])
    }

    @Test func birthdaysNeedKeyAndRole() async throws {
        let result = try await ledger("care", "birthdays", "--days", "7")
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == [
            "1 birthday in the 7 days from 2024-03-10 on",
            "",
            "DATE        IN DAYS  CUSTOMER  NAME  BIRTHDAY    AGE",
            "----------  -------  --------  ----  ----------  ---",
            "2024-03-15        5         1  张伟  1990-03-15   34",
        ])

        // 2025 is a common year, and the program moves 29 February to 1 March.
        let leap = try jsonObject(try await ledger("care", "birthdays", "--days", "5", "--as-of", "2025-02-26", "--json"))
        #expect(leap["first_day"] as? String == "2025-02-26")
        let customers = try member(leap, "customers", as: [[String: Any]].self)
        #expect(customers.map { $0["customer_id"] as? Int } == [2])
        #expect(customers.first?["date"] as? String == "2025-03-01")
        #expect(customers.first?["days_until"] as? Int == 3)

        let analyst = try await ledger("care", "birthdays", "--days", "7", "--role", "analyst")
        #expect(analyst.status == 77, "\(analyst)")
        #expect(analyst.standardError == "ledger care birthdays: listing birthdays is not allowed for the analyst role, which only reads; use --role admin or --role support\n")
        let keyless = try await ledger("care", "birthdays", "--days", "7", environment: ["LEDGER_KEY_FILE": ""])
        #expect(keyless.status == 77, "\(keyless)")
        #expect(keyless.standardError == "ledger care birthdays: ledger care birthdays needs the ledger's master key; pass --key-file FILE or set LEDGER_KEY_FILE\n")
    }

    @Test func dormantJSON() async throws {
        let object = try jsonObject(try await ledger("care", "dormant", "--days", "30", "--json"))
        #expect(object["cutoff"] as? String == "2024-02-09T00:00:00Z")
        #expect(object["total"] as? Int == 2)
        let customers = try member(object, "customers", as: [[String: Any]].self)
        #expect(customers.map { $0["customer_id"] as? Int } == [2, 3])
        #expect(customers.map { $0["name"] as? String } == ["李娜", "王芳"])
        #expect(customers.map { $0["days_since_last_purchase"] as? Int } == [34, 50])
        #expect(customers.map { minorUnits($0["net_spend"]) } == [20_000, 2_000])
        let limited = try jsonObject(try await ledger("care", "dormant", "--days", "30", "-n", "1", "--json"))
        #expect(limited["total"] as? Int == 2)
        #expect((limited["customers"] as? [Any])?.count == 1)
    }

    @Test func nearTierText() async throws {
        let result = try await ledger("care", "near-tier")
        #expect(result.status == 0, "\(result)")
        // Customer 1 is core and lacks 111 of VIP's 180 days of tenure (617‰), more than the
        // 270 of 500 yuan (540‰) or 2 of 4 purchases (500‰).
        #expect(result.outputLines == [
            "customers closest to their next tier as of 2024-03-10, by the largest share of one requirement still missing",
            "",
            "#  CUSTOMER  NAME  TIER      NEXT  MISSING  NEEDS",
            "-  --------  ----  --------  ----  -------  ----------------------------------------------------------------",
            "1         2  李娜  ordinary  core    50.0%  1 more purchase",
            "2         1  张伟  core      VIP     61.7%  270.00 CNY more spend, 2 more purchases, 111 more days of tenure",
            "3         3  王芳  ordinary  core    80.0%  80.00 CNY more spend, 1 more purchase",
            "4         4  赵磊  ordinary  core   100.0%  100.00 CNY more spend, 2 more purchases",
        ])
    }

    @Test func expiringJSON() async throws {
        let object = try jsonObject(try await ledger("care", "expiring", "--days", "30", "--json"))
        #expect(object["until"] as? String == "2024-04-09T00:00:00Z")
        #expect(object["total_points"] as? Int == 80)
        let customers = try member(object, "customers", as: [[String: Any]].self)
        #expect(customers.map { $0["customer_id"] as? Int } == [1])
        #expect(customers.first?["first_expiry"] as? String == "2024-03-31T00:00:00Z")
        let none = try jsonObject(try await ledger("care", "expiring", "--days", "10", "--json"))
        #expect(none["total_points"] as? Int == 0)
    }

    /// An empty list prints its heading without bare column headings.
    @Test func emptyCareListsPrintHeadingOnly() async throws {
        let birthdays = try await ledger("care", "birthdays", "--days", "1", "--as-of", "2024-06-01")
        let dormant = try await ledger("care", "dormant", "--days", "36500")
        let expiring = try await ledger("care", "expiring", "--days", "10")

        #expect(birthdays.status == 0, "\(birthdays)")
        #expect(birthdays.outputLines == ["0 birthdays in the 1 day from 2024-06-01 on"])
        #expect(dormant.status == 0, "\(dormant)")
        #expect(dormant.outputLines == ["0 customers without a purchase since 1924-04-04 (36,500 days before 2024-03-10)"])
        #expect(expiring.status == 0, "\(expiring)")
        #expect(expiring.outputLines == ["0 points of 0 customers expire after 2024-03-10, up to 2024-03-20"])
    }

    /// Each invalid command line names the value and the fix, exits with its code and writes nothing to standard output.
    @Test(arguments: [
        (["regions", "--by", "town"], 64, "invalid value 'town' for --by; expected province or city"),
        (["purchases", "--from", "2024-03-01", "--to", "2024-02-01"], 64,
         "--to 2024-02-01 is not later than --from 2024-03-01; the period includes --from and excludes --to, so pass a later --to"),
        (["feedback", "--to", "March"], 64, "invalid time 'March' for --to; expected YYYY-MM-DD or an ISO 8601 time such as 2024-03-01T08:00:00Z"),
        (["segments", "--as-of", "2024-13-01"], 64, "invalid time '2024-13-01' for --as-of"),
        (["purchases", "-n", "0"], 64, "-n"),
        (["care", "dormant"], 64, "missing option '--days N'; name the number of days, as in 'ledger care dormant --days 90'"),
        (["care", "expiring", "--days", "0"], 64, "--days"),
        (["care", "birthdays", "--days", "36501"], 64, "--days"),
        (["care", "lapsed"], 64, "unknown care list 'lapsed'; expected birthdays, dormant, near-tier or expiring"),
        (["cohorts", "--json", "--json"], 64, "--json"),
    ])
    func invalidCommandLine(arguments: [String], status: Int32, message: String) async throws {
        let result = try await LedgerProcess.run(arguments, database: try AnalysisFixtureLedger.database())
        #expect(result.status == status, "\(result)")
        #expect(result.standardError.contains(message), "\(result)")
        #expect(result.standardOutput.isEmpty, "\(result)")
    }

    @Test func missingLedgerIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["segments"], database: folder + "/absent.db")
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(folder)/absent.db'"), "\(result)")
        }
    }
}
