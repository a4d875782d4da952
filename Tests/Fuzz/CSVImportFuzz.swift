// libFuzzer target `csv-import`: the CSV purchase importer's parsing, from the bytes of a file
// to the events it would append. scripts/fuzz compiles this file into the CustomerLedger module.
//
// The first line of an input is the `--map` text, such as `id=customer,total=amount`, and the
// rest is the CSV file. When the mapping is invalid, the file is read with `defaultMapping`,
// which maps every field to the column of its own name, so that every input reaches the parser.
// The target also checks that each event it builds survives the stored encoding.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func csvImportFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    CSVImportFuzz.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum CSVImportFuzz {
    static let defaultMapping = CSVField.allCases.map { "\($0.rawValue)=\($0.rawValue)" }.joined(separator: ",")

    static func check(_ input: [UInt8]) {
        let split = input.firstIndex(of: 0x0A) ?? input.endIndex
        let mappingText = String(decoding: input[..<split], as: UTF8.self)
        let file = Array(input[min(split + 1, input.count)...])

        let mapping: CSVColumnMapping
        do {
            mapping = try CSVColumnMapping(parsing: mappingText)
        } catch {
            _ = error.description
            mapping = try! CSVColumnMapping(parsing: defaultMapping)
        }

        // The plain parser on the whole input, mapping line included.
        if case .failure(let error) = Result(catching: { () throws(CSVImportError) in try CSVParser.parse(input) }) {
            _ = error.description
        }

        let rows: [CSVPurchaseRow]
        do {
            rows = try CSVPurchaseImporter.parse(file, mapping: mapping, currency: .cny)
        } catch {
            _ = error.description
            return
        }
        for row in rows { checkRow(row) }

        let sourced: [(event: NewEvent, line: Int)]
        do {
            sourced = try CSVPurchaseImporter.sourcedEvents(for: rows, metadata: EventMetadata(source: "csv")) { _ in false }
        } catch let error as ImportRowError {
            _ = error.description
            return
        } catch {
            fatalError("fuzz oracle: sourcedEvents threw an error other than ImportRowError: \(error)")
        }
        for (event, _) in sourced { FuzzStorage.checkStoredRoundTrip(event) }
    }

    /// Checks the limits that the importer promises for every row it returns.
    static func checkRow(_ row: CSVPurchaseRow) {
        let purchase = row.purchase
        guard purchase.amount.minorUnits >= 0, purchase.amount.minorUnits <= ProjectionWorkspace.maximumAmount else {
            fatalError("fuzz oracle: row \(row.line) has amount \(purchase.amount.minorUnits) outside 0...maximumAmount")
        }
        guard purchase.amount.currency.isISO4217 else {
            fatalError("fuzz oracle: row \(row.line) has currency \(purchase.amount.currency), not an ISO 4217 code")
        }
        for item in purchase.lineItems {
            guard (0...CSVPurchaseImporter.maximumQuantity).contains(item.quantity) else {
                fatalError("fuzz oracle: row \(row.line) has quantity \(item.quantity) outside 0...maximumQuantity")
            }
        }
    }
}
