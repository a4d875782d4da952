// libFuzzer target `program`: the loyalty program file of `ledger program set` and
// `ledger simulate`, parsed and validated as `ProgramFile.load` does. scripts/fuzz compiles
// this file into the LedgerCommandLine module, against a CustomerLedger module built for fuzzing
// with -enable-testing, so that it reaches the internal program encoding.
//
// A valid program must survive both of its other forms unchanged: the JSON that
// `ledger program show --json` writes, and the binary encoding that ProgramDefined and
// ProgramChanged events store.
@testable import CustomerLedger

@_cdecl("LLVMFuzzerTestOneInput")
public func programDocumentFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ProgramDocumentFuzz.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum ProgramDocumentFuzz {
    static func check(_ input: [UInt8]) {
        let program: LoyaltyProgram
        do {
            program = try ProgramDocument.parse(input)
        } catch {
            _ = error.description
            return
        }
        do {
            try program.validate()
        } catch {
            _ = error.description
            return
        }
        _ = ProgramSummary.lines(program)

        let written = Array(JSONWriter(style: .pretty).string(for: ProgramDocument.json(program)).utf8)
        do {
            let again = try ProgramDocument.parse(written)
            guard again == program else {
                fatalError("fuzz oracle: the program changes through 'program show --json': \(program) became \(again)")
            }
        } catch {
            fatalError("fuzz oracle: 'program show --json' writes a document that does not parse: \(error)")
        }

        do {
            let stored = try program.encode().withUnsafeBytes { try LoyaltyProgram.decode($0) }
            guard stored == program else {
                fatalError("fuzz oracle: the program changes in its stored encoding: \(program) became \(stored)")
            }
        } catch {
            fatalError("fuzz oracle: the stored encoding of a valid program does not decode: \(error)")
        }
    }
}
