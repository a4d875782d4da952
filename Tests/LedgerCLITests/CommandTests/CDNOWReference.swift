import Foundation

/// The purchases of a CDNOW file, read with plain string splitting and no code from the
/// package, so that the tests compare the CLI with an independent reading of the file.
struct CDNOWReference {
    /// One data line: customer id, date as YYYYMMDD, number of CDs and amount in cents.
    struct Purchase: Equatable {
        let customerID: UInt64
        let date: String
        let quantity: Int64
        let cents: Int64

        /// The date as the CLI prints an instant at midnight UTC: `1997-01-01T00:00:00Z`.
        var instant: String {
            "\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))T00:00:00Z"
        }
    }

    /// Every purchase in file order.
    let purchases: [Purchase]

    /// Reads the file at `path`, skipping the header line and blank lines.
    init(contentsOf path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var purchases: [Purchase] = []
        // Swift reads CRLF as one Character, which `isNewline` matches as it matches LF.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.enumerated() where index > 0 {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            let amount = fields.count == 4 ? fields[3].split(separator: ".") : []
            guard fields.count == 4, amount.count == 2,
                let customerID = UInt64(fields[0]), let quantity = Int64(fields[2]),
                let dollars = Int64(amount[0]), let cents = Int64(amount[1])
            else {
                throw LedgerProcessError(description: "\(path) line \(index + 1) is not a CDNOW row: '\(line)'")
            }
            purchases.append(
                Purchase(customerID: customerID, date: String(fields[1]), quantity: quantity, cents: dollars * 100 + cents))
        }
        self.purchases = purchases
    }

    /// Returns the purchases of one customer in file order, which is date order.
    func purchases(of customerID: UInt64) -> [Purchase] {
        purchases.filter { $0.customerID == customerID }
    }

    /// The date (YYYYMMDD) of each customer's first purchase.
    var firstPurchaseDates: [UInt64: String] {
        purchases.reduce(into: [:]) { dates, purchase in
            dates[purchase.customerID] = min(dates[purchase.customerID] ?? purchase.date, purchase.date)
        }
    }

    /// Number of purchases per customer.
    var purchaseCounts: [UInt64: Int] {
        purchases.reduce(into: [:]) { counts, purchase in counts[purchase.customerID, default: 0] += 1 }
    }
}
