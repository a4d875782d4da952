// libFuzzer target `cdnow`: the CDNOW parser on the bytes of a file, then the events that
// `ledger import cdnow` builds from its rows. scripts/fuzz compiles this file into the
// CustomerLedger module.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func cdnowParserFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    CDNOWParserFuzz.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum CDNOWParserFuzz {
    static func check(_ input: [UInt8]) {
        let rows: [CDNOWRow]
        do {
            rows = try CDNOWParser.parse(input)
        } catch {
            _ = error.description
            guard error.line >= 1 || error.field == .file else { fatalError("fuzz oracle: an error without a line: \(error)") }
            return
        }
        for row in rows { checkRow(row) }
        for (event, _) in CDNOWImporter.sourcedEvents(for: rows, metadata: EventMetadata(source: "cdnow")) {
            FuzzStorage.checkStoredRoundTrip(event)
        }
    }

    /// Checks the ranges that ``CDNOWRow`` documents.
    static func checkRow(_ row: CDNOWRow) {
        guard row.line >= 2, row.customerID > 0, CDNOWParser.yearRange.contains(row.year),
            CivilDate(year: row.year, month: row.month, day: row.day) != nil,
            (0...CDNOWParser.maximumQuantity).contains(row.quantity), row.amountCents >= 0
        else { fatalError("fuzz oracle: a parsed row is outside its documented ranges: \(row)") }
    }
}
