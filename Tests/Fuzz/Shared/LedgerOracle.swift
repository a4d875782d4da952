// Checks that the ledger-append and ledger-operations targets share. scripts/fuzz compiles this
// file into the module of each, so it uses only the library's public API. Where that module is
// CustomerLedger itself, swiftc ignores the import with a warning.
import CustomerLedger
import Foundation

/// Checks of a ledger that accepted the fuzzer's events.
enum LedgerOracle {
    /// Runs `body` and stops the run when it throws, because the ledger wrote what it read.
    static func must(_ step: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            fatalError("fuzz oracle: \(step) failed on a ledger that accepted its events: \(error)")
        }
    }

    /// Stops the run when `verify` finds anything.
    static func checkVerified(_ ledger: Ledger) throws {
        let report = try ledger.verify()
        guard report.isVerified else { fatalError("fuzz oracle: verify finds \(report.findings)") }
    }

    /// Stops the run when a replay rebuilds other projections than the appends kept.
    static func checkReplayKeepsProjections(_ ledger: Ledger) throws {
        let before = try ledger.projectionFingerprint()
        _ = try ledger.replay()
        guard try ledger.projectionFingerprint() == before else { fatalError("fuzz oracle: a replay changes the projections") }
    }

    /// Imports an export of `original` into a fresh ledger at `path` and stops the run unless
    /// the copy ends with the same head.
    static func checkImportMatches(
        _ original: Ledger, events: [ExportedEvent], header: ExportHeader, path: String, options: Ledger.Options
    ) throws {
        try? FileManager.default.removeItem(atPath: path)
        let copy = try Ledger(path: path, options: options)
        do {
            _ = try copy.importEvents(events, header: header)
        } catch {
            fatalError("fuzz oracle: an export does not import into a fresh ledger: \(error)")
        }
        guard try copy.head() == original.head() else { fatalError("fuzz oracle: the imported ledger has another head") }
    }
}
