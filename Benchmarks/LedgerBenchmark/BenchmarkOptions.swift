import Foundation

/// The command line of `ledger-bench`.
struct BenchmarkOptions {
    static let usage = """
        usage: ledger-bench --workload FILE --db DIR [--lookups N] [--singles N] [--plaintext]
               ledger-bench --analysis --db DIR [--analysis-events N] [--analysis-customers N]
               ledger-bench --soak --db DIR [--soak-events N]

          --workload FILE  W1M-format workload file, as written by the W1M generator `gen`
          --db DIR         folder for a new ledger; it must be absent or empty
          --lookups N      random customers for the history and state lookups (default 100000)
          --singles N      events appended one per durable commit after the lookups (default 2000)
          --plaintext      store personal data in clear, to measure what encryption costs (default:
                           encrypted under a master key generated for the run)
          --analysis       generate a synthetic ledger and time every analysis view instead
          --analysis-events N     events of the synthetic ledger (default 1000000)
          --analysis-customers N  customers of the synthetic ledger (default 100000)
          --soak           append events in rounds to a ledger that starts with a 1 MiB map,
                           replaying every fifth round, and print the memory after each round
          --soak-events N  events to append in --soak (default 2000000)
        """

    var workloadPath = ""
    var databasePath = ""
    var lookups = 100_000
    var singles = 2000
    var encrypts = true
    /// True to time the analysis views on a generated ledger instead of running the W1M phases.
    var analysis = false
    var analysisEvents = 1_000_000
    var analysisCustomers = 100_000
    /// True to run the memory soak instead of the W1M phases.
    var soak = false
    var soakEvents = 2_000_000

    /// Parses the arguments after the program name.
    ///
    /// - throws: ``UsageError`` naming the missing or invalid argument.
    init(arguments: [String]) throws {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            let name: Substring
            var inlineValue: Substring?
            if let equals = argument.firstIndex(of: "=") {
                name = argument[..<equals]
                inlineValue = argument[argument.index(after: equals)...]
            } else {
                name = argument[...]
            }
            if name == "-h" || name == "--help" { throw UsageError.helpRequested }
            if name == "--plaintext", inlineValue == nil {
                encrypts = false
                continue
            }
            if name == "--analysis", inlineValue == nil {
                analysis = true
                continue
            }
            if name == "--soak", inlineValue == nil {
                soak = true
                continue
            }
            guard let value = inlineValue ?? remaining.popFirst().map({ $0[...] }) else {
                throw UsageError.invalid("missing value after \(name)")
            }
            switch name {
            case "--workload": workloadPath = String(value)
            case "--db": databasePath = String(value)
            case "--lookups": lookups = try Self.count(value, option: name)
            case "--singles": singles = try Self.count(value, option: name)
            case "--analysis-events": analysisEvents = try Self.count(value, option: name)
            case "--analysis-customers": analysisCustomers = max(1, try Self.count(value, option: name))
            case "--soak-events": soakEvents = try Self.count(value, option: name)
            default: throw UsageError.invalid("unknown option '\(name)'")
            }
        }
        if workloadPath.isEmpty && !analysis && !soak { throw UsageError.invalid("missing --workload FILE") }
        if databasePath.isEmpty { throw UsageError.invalid("missing --db DIR") }
    }

    private static func count(_ text: Substring, option: Substring) throws -> Int {
        guard let value = Int(text), value >= 0 else {
            throw UsageError.invalid("invalid value '\(text)' for \(option); expected a whole number of 0 or more")
        }
        return value
    }
}

/// A command line that `ledger-bench` cannot run, or a request for help.
enum UsageError: Error {
    case helpRequested
    case invalid(String)
}

extension BenchmarkOptions {
    /// Throws unless the database folder is absent or empty, so that no earlier ledger skews the figures.
    func checkDatabaseFolderIsFresh() throws {
        guard FileManager.default.fileExists(atPath: databasePath) else { return }
        let contents = try FileManager.default.contentsOfDirectory(atPath: databasePath)
        guard contents.isEmpty else {
            throw BenchmarkError("the database folder '\(databasePath)' is not empty; pass an absent or empty folder")
        }
    }
}
