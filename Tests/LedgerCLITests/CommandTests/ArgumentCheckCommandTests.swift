import Foundation
import Testing
@testable import LedgerCommandLine

/// Every command and action with the words that select it, such as `["points", "expire"]`.
private let everyCommand: [(words: [String], syntax: ArgumentList.Syntax)] = LedgerCommand.subcommands.flatMap { command in
    [([command.name], command.syntax)] + command.actions.map { ([command.name, $0.name], $0.syntax) }
}

@Suite("Repeated options and arguments that are not valid UTF-8")
struct ArgumentCheckCommandTests {
    // MARK: Repeated options

    /// Gives every option of every command twice. The positional `1` first keeps a command with
    /// actions from reading the option as its action, and is never bound, because the parser
    /// stops at the repeat.
    @Test(arguments: everyCommand.map(\.words))
    func everyRepeatedOptionIsUsageError(words: [String]) async throws {
        let syntax = try #require(everyCommand.first { $0.words == words }?.syntax)
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            for option in syntax.options {
                let spelling = try #require(option.names.last)
                let occurrence = option.kind == .flag ? [spelling] : [spelling, "x"]
                let result = try await LedgerProcess.run(words + ["1"] + occurrence + occurrence, database: database)
                #expect(result.status == 64, "\(result)")
                #expect(
                    result.standardError.hasPrefix(
                        "ledger \(words.joined(separator: " ")): option '\(spelling)' is given more than once; give it once\n"),
                    "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            #expect(!FileManager.default.fileExists(atPath: database), "a rejected command created the ledger")
        }
    }

    @Test func repeatedEffectiveWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let file = try LoyaltyFixture.writeFile(#"{"currency": "CNY"}"#, named: "full.json", in: folder)
            let result = try await LedgerProcess.run(
                ["program", "set", file, "--effective", "2030-01-01", "--effective", "2031-01-01"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("option '--effective' is given more than once; give it once"), "\(result)")
            #expect(result.standardError.contains("usage: ledger program set [options] FILE"), "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount)
        }
    }

    @Test func databaseBeforeAndAfterCommandIsRepeat() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            for arguments in [["--db", database, "stats", "--db", database], ["--db=\(database)", "stats", "--db=\(database)"]] {
                let result = try await LedgerProcess.run(arguments, database: database)
                #expect(result.status == 64, "\(result)")
                #expect(result.standardError.contains("option '--db' is given more than once"), "\(result)")
            }
        }
    }

    @Test func inlineAndSeparateValueIsRepeat() async throws {
        let result = try await withTemporaryFolder { folder in
            try await LedgerProcess.run(
                ["tier", "assign", "1", "VIP", "--reason=first", "--reason", "second"], database: folder + "/ledger.db")
        }
        #expect(result.status == 64, "\(result)")
        #expect(result.standardError.contains("option '--reason' is given more than once; give it once"), "\(result)")
    }

    // MARK: Invalid UTF-8

    /// Runs `script` against a new fixture ledger, expects exit status 64 with `message` and no
    /// event written.
    private func expectInvalidUTF8(_ script: String, message: String) async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let result = try await LedgerProcess.run(shellScript: script, database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains(message), "\(result)")
            #expect(!result.standardError.contains("\u{FFFD}"), "the message repeats the repaired text: \(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount)
        }
    }

    @Test func invalidReasonIsUsageError() async throws {
        try await expectInvalidUTF8(
            #"exec "$0" tier assign 1 VIP --reason "$(printf 'bad \377\376 byte')""#,
            message: "ledger tier assign: the value of option '--reason' is not valid UTF-8; pass the text in UTF-8")
    }

    @Test func invalidInlineReasonIsUsageError() async throws {
        try await expectInvalidUTF8(
            #"exec "$0" tier assign 1 VIP "--reason=$(printf '\377')""#,
            message: "the value of option '--reason' is not valid UTF-8")
    }

    @Test func invalidPositionalIsUsageError() async throws {
        try await expectInvalidUTF8(
            #"exec "$0" tier assign 1 "$(printf 'VIP\300')" --reason x"#,
            message: "argument TIER is not valid UTF-8")
    }

    @Test func invalidActorIsUsageError() async throws {
        try await expectInvalidUTF8(
            #"exec "$0" points expire --as-of 2024-03-10 --actor "$(printf '\355\240\200')""#,
            message: "the value of option '--actor' is not valid UTF-8")
    }

    @Test func validUTF8BytesAreStored() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            // The UTF-8 bytes of 投诉 (complaint).
            let result = try await LedgerProcess.run(
                shellScript: #"exec "$0" tier assign 1 VIP --json --reason "$(printf '\346\212\225\350\257\211')""#,
                database: database)
            #expect(result.status == 0, "\(result)")
            #expect(try decodeOutput(TierAssignOutput.self, from: result).reason == "投诉")
        }
    }
}
