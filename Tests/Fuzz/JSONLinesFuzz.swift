// libFuzzer target `jsonl`: the reader of `ledger export` files that `ledger import jsonl` runs,
// with its JSON parser and the program document of the header. scripts/fuzz compiles this file
// into the LedgerCommandLine module, against a CustomerLedger module built for fuzzing.
//
// A file that reads without error is written again with the export's own writer, and the
// result must read back to the same header and events, because an export of a ledger that
// imported the file writes those lines.
import CustomerLedger

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonLinesFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    JSONLinesFuzz.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum JSONLinesFuzz {
    static func check(_ input: [UInt8]) {
        // The JSON parser alone, on the whole input as one document.
        if case .failure(let error) = Result(catching: { () throws(JSONSyntaxError) in try JSONParser.parse(input) }) {
            _ = error.description
        }

        let document: EventJSONLinesDocument
        do {
            document = try EventJSONLines.read(input)
        } catch {
            _ = error.description
            return
        }

        var lines = [EventJSONLines.headerLine(document.header)]
        lines += document.events.map(EventJSONLines.eventLine)
        let written = Array((lines.joined(separator: "\n") + "\n").utf8)
        let again: EventJSONLinesDocument
        do {
            again = try EventJSONLines.read(written)
        } catch {
            fatalError("fuzz oracle: a file that reads is written again as one that does not: \(error)")
        }
        guard again.header == document.header else {
            fatalError("fuzz oracle: the header changes when written again: \(document.header) became \(again.header)")
        }
        guard again.events == document.events else {
            fatalError("fuzz oracle: the events change when written again: \(document.events) became \(again.events)")
        }
        guard again.lines == document.lines else { fatalError("fuzz oracle: the event lines change when written again") }
    }
}
