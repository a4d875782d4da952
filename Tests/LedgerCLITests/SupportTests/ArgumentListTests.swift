import Testing
@testable import LedgerCommandLine

@Suite("ArgumentList")
struct ArgumentListTests {
    static let statsSyntax = ArgumentList.Syntax(
        command: "ledger stats",
        summary: "Print customer statistics.",
        options: [
            .value("--db", placeholder: "PATH", help: "Ledger database directory."),
            .value("--as-of", placeholder: "DATE", help: "Report date, YYYY-MM-DD."),
            .value("-n", "--limit", placeholder: "N", help: "Maximum number of rows."),
            .flag("--json", help: "Print JSON instead of a table."),
        ]
    )

    static let showSyntax = ArgumentList.Syntax(
        command: "ledger show",
        options: [.flag("--json", help: "Print JSON.")],
        positionals: [
            .required("ID", help: "Customer id."),
            .optional("FIELD", help: "Field to print."),
        ]
    )

    static let importSyntax = ArgumentList.Syntax(
        command: "ledger import",
        positionals: [.oneOrMore("FILE", help: "Event files, or - for standard input.")]
    )

    /// Returns the message of the `UsageError` thrown by `body`, or `nil` when nothing is thrown.
    static func usageMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as UsageError {
            return error.message
        } catch {
            return "unexpected error: \(error)"
        }
    }

    // MARK: - Errors

    @Test func unknownOption() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: ["--jsn"], syntax: Self.statsSyntax) }
        #expect(message == "unknown option '--jsn' for 'ledger stats'; run 'ledger stats --help'")
    }

    @Test func unknownOptionWithInlineValue() {
        let message = Self.usageMessage {
            _ = try ArgumentList(parsing: ["--dbb=shop.db"], syntax: Self.statsSyntax)
        }
        #expect(message == "unknown option '--dbb' for 'ledger stats'; run 'ledger stats --help'")
    }

    @Test func nonIntegerValue() throws {
        let arguments = try ArgumentList(parsing: ["-n", "ten"], syntax: Self.statsSyntax)
        let message = Self.usageMessage { _ = try arguments.integer("-n") }
        #expect(message == "option '-n' expects an integer, got 'ten'")
    }

    @Test func nonIntegerValueQuotesTypedSpelling() throws {
        let arguments = try ArgumentList(parsing: ["--limit=ten"], syntax: Self.statsSyntax)
        let message = Self.usageMessage { _ = try arguments.integer("-n") }
        #expect(message == "option '--limit' expects an integer, got 'ten'")
    }

    @Test func integerOutOfClosedRange() throws {
        let arguments = try ArgumentList(parsing: ["-n", "5000"], syntax: Self.statsSyntax)
        let message = Self.usageMessage { _ = try arguments.integer("-n", in: 1...1000) }
        #expect(message == "option '-n' expects an integer from 1 to 1000, got '5000'")
    }

    @Test func integerBelowPartialRange() throws {
        let arguments = try ArgumentList(parsing: ["-n", "-5"], syntax: Self.statsSyntax)
        let message = Self.usageMessage { _ = try arguments.integer("-n", in: 1...) }
        #expect(message == "option '-n' expects an integer of at least 1, got '-5'")
    }

    @Test func integerOverflow() throws {
        let arguments = try ArgumentList(parsing: ["-n", "99999999999999999999"], syntax: Self.statsSyntax)
        let message = Self.usageMessage { _ = try arguments.integer("-n") }
        #expect(message == "option '-n' expects an integer, got '99999999999999999999', which is larger than 9223372036854775807")
    }

    @Test func integerOverflowBelowPartialRange() throws {
        let large = try ArgumentList(parsing: ["-n", "+99999999999999999999"], syntax: Self.statsSyntax)
        let small = try ArgumentList(parsing: ["-n", "-99999999999999999999"], syntax: Self.statsSyntax)

        let largeMessage = Self.usageMessage { _ = try large.integer("-n", in: 1...) }
        let smallMessage = Self.usageMessage { _ = try small.integer("-n", in: 1...) }

        #expect(largeMessage == "option '-n' expects an integer of at least 1, got '+99999999999999999999', which is larger than 9223372036854775807")
        #expect(smallMessage == "option '-n' expects an integer of at least 1, got '-99999999999999999999', which is smaller than -9223372036854775808")
    }

    @Test func missingPositionalArgument() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: [], syntax: Self.showSyntax) }
        #expect(message == "missing argument ID")
    }

    @Test func missingRepeatingArgument() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: [], syntax: Self.importSyntax) }
        #expect(message == "missing argument FILE")
    }

    @Test func unexpectedArgument() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: ["x"], syntax: Self.statsSyntax) }
        #expect(message == "unexpected argument 'x'")
    }

    @Test func unexpectedArgumentAfterOptionalOne() {
        let message = Self.usageMessage {
            _ = try ArgumentList(parsing: ["C1", "name", "extra"], syntax: Self.showSyntax)
        }
        #expect(message == "unexpected argument 'extra'")
    }

    @Test func missingOptionValueAtEnd() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: ["--db"], syntax: Self.statsSyntax) }
        #expect(message == "missing value for option '--db'; expected '--db PATH'")
    }

    @Test func missingOptionValueBeforeOption() {
        let message = Self.usageMessage {
            _ = try ArgumentList(parsing: ["--db", "--json"], syntax: Self.statsSyntax)
        }
        #expect(message == "missing value for option '--db'; expected '--db PATH'")
    }

    @Test func flagWithInlineValue() {
        let message = Self.usageMessage {
            _ = try ArgumentList(parsing: ["--json=yes"], syntax: Self.statsSyntax)
        }
        #expect(message == "option '--json' does not take a value, got 'yes'")
    }

    @Test func missingRequiredOption() throws {
        let arguments = try ArgumentList(parsing: [], syntax: Self.statsSyntax)
        let message = Self.usageMessage { _ = try arguments.requiredString("--db") }
        #expect(message == "missing option '--db PATH'")
    }

    @Test func errorCarriesUsageLine() {
        do {
            _ = try ArgumentList(parsing: [], syntax: Self.showSyntax)
            Issue.record("expected a UsageError")
        } catch {
            #expect(error.usage == "usage: ledger show [options] ID [FIELD]")
            #expect(error.description == "missing argument ID")
        }
    }

    // MARK: - Parsed values

    @Test func separateAndInlineValues() throws {
        let arguments = try ArgumentList(
            parsing: ["--db=shop.db", "--json", "-n", "5", "--as-of", "2024-01-31"],
            syntax: Self.statsSyntax
        )
        #expect(arguments.string("--db") == "shop.db")
        #expect(arguments.string("--as-of") == "2024-01-31")
        #expect(arguments.flag("--json"))
        #expect(try arguments.integer("-n") == 5)
        #expect(try arguments.integer("--limit", in: 1...1000) == 5)
        #expect(arguments.isHelpRequested == false)
    }

    @Test func absentValues() throws {
        let arguments = try ArgumentList(parsing: [], syntax: Self.statsSyntax)
        #expect(arguments.string("--db") == nil)
        #expect(arguments.flag("--json") == false)
        #expect(try arguments.integer("-n") == nil)
        #expect(arguments.strings("--db") == [])
    }

    @Test func repeatedValueOptionIsRejected() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: ["--db", "a", "--db=b"], syntax: Self.statsSyntax) }
        #expect(message == "option '--db' is given more than once; give it once")
    }

    @Test func repeatedFlagIsRejected() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: ["--json", "--json"], syntax: Self.statsSyntax) }
        #expect(message == "option '--json' is given more than once; give it once")
    }

    @Test func optionUnderTwoSpellingsIsRejected() {
        let message = Self.usageMessage { _ = try ArgumentList(parsing: ["-n", "5", "--limit", "6"], syntax: Self.statsSyntax) }
        #expect(message == "option '--limit' is given more than once, as '-n' and '--limit'; give it once")
    }

    @Test func optionAfterDoubleDashIsNotRepeat() throws {
        let arguments = try ArgumentList(parsing: ["--json", "--", "--json"], syntax: Self.showSyntax)
        #expect(arguments.flag("--json"))
        #expect(arguments.string("ID") == "--json")
    }

    // MARK: - Invalid UTF-8

    /// The form `CommandLine.arguments` gives the bytes `bad `, 0xFF, ` byte`.
    static let repairedArgument = String(decoding: Array("bad ".utf8) + [0xFF] + Array(" byte".utf8), as: UTF8.self)

    @Test func invalidUTF8OptionValueIsRejected() {
        let expected = "the value of option '--db' is not valid UTF-8; pass the text in UTF-8, "
            + "for example by setting the terminal's or script's encoding to UTF-8"
        for arguments in [["--db", Self.repairedArgument], ["--db=" + Self.repairedArgument]] {
            let message = Self.usageMessage {
                _ = try ArgumentList(
                    parsing: arguments, syntax: Self.statsSyntax,
                    invalidUTF8Arguments: [arguments.last!])
            }
            #expect(message == expected, "\(arguments)")
        }
    }

    @Test func invalidUTF8PositionalIsRejected() {
        let message = Self.usageMessage {
            _ = try ArgumentList(
                parsing: ["C42", Self.repairedArgument], syntax: Self.showSyntax,
                invalidUTF8Arguments: [Self.repairedArgument])
        }
        #expect(message?.hasPrefix("argument FIELD is not valid UTF-8; ") == true, "\(message ?? "no error")")
    }

    @Test func validReplacementCharacterIsAccepted() throws {
        // U+FFFD typed as valid UTF-8 is text like any other; only repaired bytes are rejected.
        let arguments = try ArgumentList(
            parsing: ["--db", Self.repairedArgument], syntax: Self.statsSyntax, invalidUTF8Arguments: ["other"])
        #expect(arguments.string("--db") == Self.repairedArgument)
    }

    @Test func inlineValueMayBeEmptyOrStartWithDash() throws {
        let arguments = try ArgumentList(parsing: ["--db=", "--as-of=--x"], syntax: Self.statsSyntax)
        #expect(arguments.string("--db") == "")
        #expect(arguments.string("--as-of") == "--x")
    }

    @Test func inlineValueKeepsLaterEqualsSigns() throws {
        let arguments = try ArgumentList(parsing: ["--db=a=b"], syntax: Self.statsSyntax)
        #expect(arguments.string("--db") == "a=b")
    }

    @Test func negativeNumberIsValue() throws {
        let arguments = try ArgumentList(parsing: ["-n", "-5"], syntax: Self.statsSyntax)
        #expect(try arguments.integer("-n") == -5)
    }

    @Test func positionalsMixedWithOptions() throws {
        let arguments = try ArgumentList(parsing: ["--json", "C42", "email"], syntax: Self.showSyntax)
        #expect(arguments.string("ID") == "C42")
        #expect(arguments.string("FIELD") == "email")
        #expect(arguments.flag("--json"))
    }

    @Test func optionalPositionalAbsent() throws {
        let arguments = try ArgumentList(parsing: ["C42"], syntax: Self.showSyntax)
        #expect(arguments.string("FIELD") == nil)
        #expect(try arguments.requiredString("ID") == "C42")
    }

    @Test func doubleDashEndsOptions() throws {
        let arguments = try ArgumentList(parsing: ["--", "--json", "-n"], syntax: Self.showSyntax)
        #expect(arguments.string("ID") == "--json")
        #expect(arguments.string("FIELD") == "-n")
        #expect(arguments.flag("--json") == false)
    }

    @Test func loneDashIsPositional() throws {
        let arguments = try ArgumentList(parsing: ["a.csv", "-", "b.csv"], syntax: Self.importSyntax)
        #expect(arguments.strings("FILE") == ["a.csv", "-", "b.csv"])
    }

    @Test func negativeNumberIsPositional() throws {
        let arguments = try ArgumentList(parsing: ["-12"], syntax: Self.showSyntax)
        #expect(try arguments.integer("ID") == -12)
    }

    @Test func nonIntegerPositional() throws {
        let arguments = try ArgumentList(parsing: ["x"], syntax: Self.showSyntax)
        let message = Self.usageMessage { _ = try arguments.integer("ID") }
        #expect(message == "argument ID expects an integer, got 'x'")
    }

    // MARK: - Help

    @Test func helpSkipsOtherChecks() throws {
        let arguments = try ArgumentList(parsing: ["--jsn", "--help"], syntax: Self.statsSyntax)
        #expect(arguments.isHelpRequested)
        #expect(arguments.flag("--json") == false)
    }

    @Test func shortHelpWithoutRequiredArgument() throws {
        let arguments = try ArgumentList(parsing: ["-h"], syntax: Self.showSyntax)
        #expect(arguments.isHelpRequested)
        #expect(arguments.string("ID") == nil)
    }

    @Test func helpAfterDoubleDashIsPositional() throws {
        let arguments = try ArgumentList(parsing: ["--", "--help"], syntax: Self.showSyntax)
        #expect(arguments.isHelpRequested == false)
        #expect(arguments.string("ID") == "--help")
    }

    @Test func helpText() {
        let expected = """
            usage: ledger stats [options]

            Print customer statistics.

            options:
              --db PATH      Ledger database directory.
              --as-of DATE   Report date, YYYY-MM-DD.
              -n, --limit N  Maximum number of rows.
              --json         Print JSON instead of a table.
              -h, --help     Show this help and exit.

            """
        #expect(Self.statsSyntax.helpText == expected)
    }

    @Test func helpTextWithArguments() {
        let expected = """
            usage: ledger show [options] ID [FIELD]

            arguments:
              ID          Customer id.
              FIELD       Field to print.

            options:
              --json      Print JSON.
              -h, --help  Show this help and exit.

            """
        #expect(Self.showSyntax.helpText == expected)
    }

    @Test func usageLines() {
        #expect(Self.importSyntax.usage == "usage: ledger import [options] FILE...")
        let syntax = ArgumentList.Syntax(
            command: "ledger export",
            positionals: [.zeroOrMore("ID", help: "Customer ids.")]
        )
        #expect(syntax.usage == "usage: ledger export [options] [ID...]")
    }
}
