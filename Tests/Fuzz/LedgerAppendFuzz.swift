// libFuzzer target `ledger-append`: the events of an export file, read as `ledger import jsonl`
// reads them, appended one by one to a fresh ledger, so that the business rules, the
// projections and the loyalty queries see values that no parser bounds. scripts/fuzz compiles
// this file into the LedgerCommandLine module, against a CustomerLedger module built for fuzzing.
//
// An appended event may be rejected with an error. After the appends, `verify` must find
// nothing, a replay must rebuild the same projections, and an export of the ledger, written
// and read as JSON Lines, must import into a second fresh ledger with the same head.
// Each input creates its ledgers in the folder /tmp/fuzz-ledger-append-PID, so a run is slow:
// every append is a durable LMDB transaction.
import CustomerLedger
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func ledgerAppendFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    LedgerAppendFuzz.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum LedgerAppendFuzz {
    /// More events make a run slower without reaching new rules.
    static let maximumEvents = 40
    static let folder: String = {
        let path = "/tmp/fuzz-ledger-append-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()
    /// The ledger's clock: a fixed instant, 2027-01-15T08:00:00Z, so that runs repeat.
    static let now = Timestamp(microseconds: 1_800_000_000_000_000)

    static func check(_ input: [UInt8]) {
        guard let document = try? EventJSONLines.read(input), document.events.count <= maximumEvents else { return }
        let path = folder + "/appended"
        try? FileManager.default.removeItem(atPath: path)
        let ledger: Ledger
        do {
            ledger = try Ledger(path: path, options: options(program: document.header.baseProgram))
        } catch {
            // An invalid base program is rejected with an error.
            _ = "\(error)"
            return
        }
        for exported in document.events {
            let event = exported.event
            let newEvent = NewEvent(
                id: event.id, customerID: event.customerID, occurredAt: event.occurredAt, payload: event.payload,
                metadata: event.metadata, recordedAt: event.recordedAt)
            do {
                _ = try ledger.append(newEvent)
            } catch {
                _ = "\(error)"
            }
        }
        let instants = queryInstants(document)
        LedgerOracle.must("query") { try query(ledger, at: instants) }
        LedgerOracle.must("verify") { try LedgerOracle.checkVerified(ledger) }
        LedgerOracle.must("write loyalty events") {
            for instant in instants where instant < now {
                _ = try? ledger.expirePoints(asOf: instant)
                _ = try? ledger.grantBirthdayRewards(asOf: instant)
            }
        }
        LedgerOracle.must("verify after loyalty events") { try LedgerOracle.checkVerified(ledger) }
        LedgerOracle.must("replay") { try LedgerOracle.checkReplayKeepsProjections(ledger) }
        LedgerOracle.must("export and import") { try checkExportImports(ledger, program: document.header.baseProgram) }
    }

    static func options(program: LoyaltyProgram) -> Ledger.Options {
        Ledger.Options(program: program, initialMapSize: 8 << 20, clock: { now }, encryptsPersonalData: false)
    }

    /// Returns the occurred-at of the first 8 events, the ends of the supported range and the clock.
    static func queryInstants(_ document: EventJSONLinesDocument) -> [Timestamp] {
        var instants = Set(document.events.prefix(8).map(\.event.occurredAt))
        instants.insert(Timestamp.supportedRange.lowerBound)
        instants.insert(Timestamp.supportedRange.upperBound)
        instants.insert(now)
        return instants.sorted()
    }

    static func query(_ ledger: Ledger, at instants: [Timestamp]) throws {
        let statistics = try ledger.statistics()
        _ = statistics
        _ = try ledger.programVersions()
        var customers: [CustomerID] = []
        try ledger.forEachCustomer { customers.append($0.customerID) }
        for instant in instants {
            _ = try ledger.liability(asOf: instant)
            _ = try ledger.tiers(asOf: instant)
            _ = try ledger.program(asOf: instant)
            _ = try ledger.simulate(program: try ledger.program(), asOf: instant)
        }
        let last = try ledger.lastPosition()
        for customer in customers.prefix(8) {
            _ = try ledger.customer(customer)
            _ = try ledger.history(of: customer)
            for instant in instants {
                _ = try ledger.customer(customer, asOf: instant)
                _ = try ledger.points(of: customer, asOf: instant)
                _ = try ledger.tier(of: customer, asOf: instant, forecast: true)
            }
            for position in Set([1, last / 2, last]) where position >= 1 {
                _ = try ledger.customer(customer, asOfPosition: position)
                _ = try ledger.points(of: customer, asOfPosition: position)
                _ = try ledger.tier(of: customer, asOfPosition: position)
            }
        }
    }

    /// Exports `ledger` as JSON Lines, reads the lines back and imports them into a fresh ledger.
    static func checkExportImports(_ ledger: Ledger, program: LoyaltyProgram) throws {
        var lines: [String] = []
        _ = try ledger.exportEvents(header: { lines.append(EventJSONLines.headerLine($0)) }) {
            lines.append(EventJSONLines.eventLine($0))
        }
        let document: EventJSONLinesDocument
        do {
            document = try EventJSONLines.read(Array((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            fatalError("fuzz oracle: an export does not read back: \(error)")
        }
        try LedgerOracle.checkImportMatches(
            ledger, events: document.events, header: document.header, path: folder + "/imported",
            options: options(program: program))
    }
}
