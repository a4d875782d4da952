import CustomerLedger
import Foundation

/// The `--commit-every N` option that `import csv` and `import cdnow` share: its help, the line
/// printed after each durable transaction, and the error after a failed one.
enum ImportCommits {
    static let option = ArgumentList.Option.value(
        "--commit-every", placeholder: "N",
        help: "Commit every N rows in a durable transaction of their own, after checking all rows, and print 'committed rows A-B through position P' after each (default: the whole file in one transaction).")

    /// Prints the line of one durable transaction and flushes standard output, so that a process
    /// reading a pipe can tell which rows survive a crash of this one.
    static func printCommit(_ commit: ImportCommit) {
        Console.out("committed rows \(commit.rows.lowerBound)-\(commit.rows.upperBound) through position \(commit.throughPosition)\n")
        fflush(nil)
    }

    /// Returns the error to report for an import of `file` that failed after `committedRows`
    /// rows were committed.
    ///
    /// A ledger that the command created contains nothing after a rejected import, so its folder
    /// at `createdPath` is removed too, unless a transaction was committed.
    static func failure(_ error: any Error, file: String, committedRows: Int, createdPath: String?) -> any Error {
        guard committedRows > 0 else {
            if let createdPath { try? FileManager.default.removeItem(atPath: createdPath) }
            if let rowError = error as? ImportRowError {
                return CommandFailure("\(file): \(rowError); nothing was written", code: .dataError)
            }
            return error
        }
        // All rows passed the checks, so only a change by another writer or a storage failure
        // stops a later transaction.
        if let rowError = error as? ImportRowError {
            return CommandFailure("\(file): \(rowError); rows 1-\(committedRows) were committed before it", code: .dataError)
        }
        return error
    }
}
