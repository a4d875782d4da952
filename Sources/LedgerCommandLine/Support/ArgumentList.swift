/// Error for an invalid command line. `message` names the bad argument and, where it helps,
/// the fix.
struct UsageError: Error, Equatable, CustomStringConvertible {
    /// One-line message without a trailing period, for example "missing argument ID".
    var message: String
    /// Usage line of the command that rejected the arguments, such as
    /// "usage: ledger show [options] ID", for the caller to print below the message.
    var usage: String?

    init(_ message: String, usage: String? = nil) {
        self.message = message
        self.usage = usage
    }

    var description: String { message }
}

/// Parsed arguments of one subcommand: option values and positional parameters, checked
/// against a `Syntax` declaration.
///
/// Rules:
/// - An option is `--name`, `-n`, or either with an inline value as `--name=value`.
/// - A value option takes the next argument as its value unless that argument looks like an
///   option. Negative numbers such as `-5` and a lone `-` do not look like options. Use
///   `--name=value` for a value that starts with `-`.
/// - `--` ends the options. Every later argument is positional, even one starting with `-`.
/// - Options and positional parameters may be mixed in any order.
/// - An option may appear once. A second appearance, under any of its spellings, is a usage
///   error, because silently keeping one of two values would hide a typo.
/// - An argument that was not valid UTF-8 before the caller repaired it is a usage error that
///   names its option or parameter, so that replacement characters are never stored.
/// - `-h` and `--help` are always accepted. When either appears before `--`, parsing stops
///   without checking anything else and `isHelpRequested` is true.
///
///     let syntax = ArgumentList.Syntax(
///         command: "ledger show",
///         options: [.value("--db", placeholder: "PATH", help: "Ledger database directory.")],
///         positionals: [.required("ID", help: "Customer id.")]
///     )
///     let arguments = try ArgumentList(parsing: ["--db", "shop.db", "C42"], syntax: syntax)
///     arguments.string("ID")    // "C42"
struct ArgumentList: Sendable {
    /// Declaration of one option.
    struct Option: Sendable {
        enum Kind: Sendable, Equatable {
            /// A boolean switch such as `--json`. It rejects an inline value.
            case flag
            /// An option that takes one value. `placeholder` names the value in help text.
            case value(placeholder: String)
        }

        /// Spellings with their dashes, for example `["-n", "--count"]`.
        var names: [String]
        var kind: Kind
        var help: String

        static func flag(_ names: String..., help: String) -> Option {
            Option(names: names, kind: .flag, help: help)
        }

        static func value(_ names: String..., placeholder: String, help: String) -> Option {
            Option(names: names, kind: .value(placeholder: placeholder), help: help)
        }

        /// Names and placeholder as shown in usage and help, such as "-n, --count N".
        var synopsis: String {
            let joinedNames = names.joined(separator: ", ")
            switch kind {
            case .flag:
                return joinedNames
            case .value(let placeholder):
                return "\(joinedNames) \(placeholder)"
            }
        }
    }

    /// Declaration of one positional parameter.
    struct Positional: Sendable {
        enum Arity: Sendable, Equatable {
            case required
            case optional
            /// Any number of arguments, including none. Only the last parameter can repeat.
            case zeroOrMore
            /// At least one argument. Only the last parameter can repeat.
            case oneOrMore
        }

        /// Name shown in usage and error messages, conventionally upper case such as "ID".
        var name: String
        var arity: Arity
        var help: String

        static func required(_ name: String, help: String) -> Positional {
            Positional(name: name, arity: .required, help: help)
        }

        static func optional(_ name: String, help: String) -> Positional {
            Positional(name: name, arity: .optional, help: help)
        }

        static func zeroOrMore(_ name: String, help: String) -> Positional {
            Positional(name: name, arity: .zeroOrMore, help: help)
        }

        static func oneOrMore(_ name: String, help: String) -> Positional {
            Positional(name: name, arity: .oneOrMore, help: help)
        }

        /// Name as shown in the usage line: "ID", "[ID]", "FILE..." or "[FILE...]".
        var synopsis: String {
            switch arity {
            case .required:
                return name
            case .optional:
                return "[\(name)]"
            case .zeroOrMore:
                return "[\(name)...]"
            case .oneOrMore:
                return "\(name)..."
            }
        }
    }

    /// Options and positional parameters that one subcommand accepts.
    struct Syntax: Sendable {
        /// Command as the user types it, such as "ledger stats". Error messages quote it.
        var command: String
        /// One-line description printed at the top of the help text.
        var summary: String
        var options: [Option]
        var positionals: [Positional]

        /// Returns this declaration with `extra` options after its own.
        func adding(_ extra: [Option]) -> Syntax {
            Syntax(command: command, summary: summary, options: options + extra, positionals: positionals)
        }

        /// Spellings of the built-in help flag, which no declared option may reuse.
        static let helpNames: Set<String> = ["-h", "--help"]

        /// Creates a declaration. Invalid declarations are programming errors and stop the
        /// program: option names must start with "-", contain no "=" and be unique, and
        /// required positional parameters must come before optional ones, with at most one
        /// repeating parameter at the end.
        init(command: String, summary: String = "", options: [Option] = [], positionals: [Positional] = []) {
            var seenNames: Set<String> = []
            for option in options {
                precondition(!option.names.isEmpty, "an option of '\(command)' has no name")
                for name in option.names {
                    precondition(
                        name.hasPrefix("-") && name != "-" && name != "--" && !name.contains("="),
                        "invalid option name '\(name)' for '\(command)'"
                    )
                    precondition(!Self.helpNames.contains(name), "'\(name)' is reserved for help")
                    precondition(seenNames.insert(name).inserted, "duplicate option name '\(name)'")
                }
            }

            var seenOptional = false
            for (index, positional) in positionals.enumerated() {
                switch positional.arity {
                case .required, .oneOrMore:
                    precondition(!seenOptional, "required argument \(positional.name) follows an optional one")
                case .optional, .zeroOrMore:
                    seenOptional = true
                }
                if positional.arity == .zeroOrMore || positional.arity == .oneOrMore {
                    precondition(
                        index == positionals.count - 1,
                        "repeating argument \(positional.name) must be the last one"
                    )
                }
            }

            self.command = command
            self.summary = summary
            self.options = options
            self.positionals = positionals
        }

        /// Usage line, for example "usage: ledger show [options] ID [FILE...]".
        var usage: String {
            var parts = ["usage:", command, "[options]"]
            parts += positionals.map(\.synopsis)
            return parts.joined(separator: " ")
        }

        /// Help text for `--help`: usage line, summary, then one line per parameter and
        /// option with its description. Ends in a newline.
        var helpText: String {
            var text = usage + "\n"
            if !summary.isEmpty {
                text += "\n" + summary + "\n"
            }

            let argumentEntries = positionals.map { ($0.name, $0.help) }
            let optionEntries = options.map { ($0.synopsis, $0.help) }
                + [("-h, --help", "Show this help and exit.")]
            let synopsisWidth = (argumentEntries + optionEntries).map { $0.0.displayWidth }.max() ?? 0

            func appendSection(_ title: String, _ entries: [(String, String)]) {
                guard !entries.isEmpty else { return }
                text += "\n" + title + ":\n"
                for (synopsis, help) in entries {
                    text += "  " + synopsis.padded(toDisplayWidth: synopsisWidth) + "  " + help + "\n"
                }
            }
            appendSection("arguments", argumentEntries)
            appendSection("options", optionEntries)
            return text
        }

        /// Returns the index of the option with the given spelling, or `nil`.
        func optionIndex(named name: String) -> Int? {
            options.firstIndex { $0.names.contains(name) }
        }
    }

    /// One appearance of an option on the command line.
    private struct Occurrence: Sendable {
        /// Spelling the user typed, such as "-n", so that errors quote it.
        var spelling: String
        /// Value of a value option. `nil` for a flag.
        var value: String?
    }

    let syntax: Syntax
    /// Whether `-h` or `--help` appeared before `--`. When true, nothing else was parsed.
    let isHelpRequested: Bool
    /// Occurrences of each option, indexed like `syntax.options`.
    private let occurrences: [[Occurrence]]
    /// Arguments bound to each positional parameter, indexed like `syntax.positionals`.
    private let positionalValues: [[String]]

    /// Parses `arguments`, the command-line arguments that follow the subcommand name.
    /// `invalidUTF8Arguments` contains the arguments that were not valid UTF-8, in the form
    /// that `String(decoding:as:)` repaired them to.
    ///
    /// Throws `UsageError` for an unknown option, an option given twice, a flag with a value, a
    /// value option without a value, a missing required positional argument, a surplus
    /// positional argument, or an argument in `invalidUTF8Arguments`.
    init(parsing arguments: [String], syntax: Syntax, invalidUTF8Arguments: Set<String> = []) throws(UsageError) {
        self.syntax = syntax
        let helpIndex = arguments.prefix { $0 != "--" }.firstIndex { Syntax.helpNames.contains($0) }
        if helpIndex != nil {
            isHelpRequested = true
            occurrences = Array(repeating: [], count: syntax.options.count)
            positionalValues = Array(repeating: [], count: syntax.positionals.count)
            return
        }
        isHelpRequested = false

        var occurrences: [[Occurrence]] = Array(repeating: [], count: syntax.options.count)
        var positionalArguments: [String] = []
        var optionsEnded = false
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1

            if optionsEnded || !Self.looksLikeOption(argument) {
                positionalArguments.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }

            var name = argument
            var inlineValue: String?
            if let equalsIndex = argument.firstIndex(of: "=") {
                name = String(argument[..<equalsIndex])
                inlineValue = String(argument[argument.index(after: equalsIndex)...])
            }
            guard let optionIndex = syntax.optionIndex(named: name) else {
                throw UsageError(
                    "unknown option '\(name)' for '\(syntax.command)'; run '\(syntax.command) --help'",
                    usage: syntax.usage
                )
            }
            if let earlier = occurrences[optionIndex].first {
                let spellings = earlier.spelling == name ? "" : ", as '\(earlier.spelling)' and '\(name)'"
                throw UsageError(
                    "option '\(name)' is given more than once\(spellings); give it once",
                    usage: syntax.usage
                )
            }

            switch syntax.options[optionIndex].kind {
            case .flag:
                if let inlineValue {
                    throw UsageError(
                        "option '\(name)' does not take a value, got '\(inlineValue)'",
                        usage: syntax.usage
                    )
                }
                occurrences[optionIndex].append(Occurrence(spelling: name, value: nil))
            case .value(let placeholder):
                var value = inlineValue
                var valueArgument = argument
                if value == nil, index < arguments.count, !Self.looksLikeOption(arguments[index]) {
                    value = arguments[index]
                    valueArgument = arguments[index]
                    index += 1
                }
                guard let value else {
                    throw UsageError(
                        "missing value for option '\(name)'; expected '\(name) \(placeholder)'",
                        usage: syntax.usage
                    )
                }
                if invalidUTF8Arguments.contains(valueArgument) {
                    throw Self.invalidUTF8Error(subject: "the value of option '\(name)'", syntax: syntax)
                }
                occurrences[optionIndex].append(Occurrence(spelling: name, value: value))
            }
        }

        self.occurrences = occurrences
        self.positionalValues = try Self.bind(positionalArguments, to: syntax)
        for (positional, values) in zip(syntax.positionals, positionalValues)
        where values.contains(where: invalidUTF8Arguments.contains) {
            throw Self.invalidUTF8Error(subject: "argument \(positional.name)", syntax: syntax)
        }
    }

    /// Returns the error for an argument that was not valid UTF-8. `subject` names the option
    /// or parameter it belongs to.
    private static func invalidUTF8Error(subject: String, syntax: Syntax) -> UsageError {
        UsageError(
            "\(subject) is not valid UTF-8; pass the text in UTF-8, for example by setting the terminal's or script's encoding to UTF-8",
            usage: syntax.usage)
    }

    /// Assigns positional arguments to the declared parameters in order.
    private static func bind(_ arguments: [String], to syntax: Syntax) throws(UsageError) -> [[String]] {
        var remaining = arguments[...]
        var values: [[String]] = []
        for positional in syntax.positionals {
            switch positional.arity {
            case .required, .oneOrMore:
                guard !remaining.isEmpty else {
                    throw UsageError("missing argument \(positional.name)", usage: syntax.usage)
                }
            case .optional, .zeroOrMore:
                break
            }

            switch positional.arity {
            case .required, .optional:
                values.append(remaining.popFirst().map { [$0] } ?? [])
            case .zeroOrMore, .oneOrMore:
                values.append(Array(remaining))
                remaining = []
            }
        }
        if let surplus = remaining.first {
            throw UsageError("unexpected argument '\(surplus)'", usage: syntax.usage)
        }
        return values
    }

    /// Returns whether `argument` is an option or `--`, rather than a value. A lone "-" (by
    /// convention standard input) and negative numbers such as "-5" or "-2.50" are values.
    private static func looksLikeOption(_ argument: String) -> Bool {
        guard argument.hasPrefix("-"), argument != "-" else {
            return false
        }
        let rest = argument.dropFirst()
        let isNegativeNumber = rest.first?.isASCII == true && rest.first?.isNumber == true
            && rest.allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) }
        return !isNegativeNumber
    }

    // MARK: - Typed accessors

    /// Returns whether the flag appeared at least once. `name` is any declared spelling.
    func flag(_ name: String) -> Bool {
        !occurrences[declaredOptionIndex(name)].isEmpty
    }

    /// Returns the value of an option or of a single positional parameter, or `nil` when it was
    /// not given. `name` is an option spelling such as "--db" or a positional parameter name
    /// such as "ID".
    func string(_ name: String) -> String? {
        strings(name).last
    }

    /// Returns the value of an option as a one-element array (the parser rejects a second
    /// one), or every argument bound to a positional parameter, in command-line order.
    func strings(_ name: String) -> [String] {
        if name.hasPrefix("-") {
            return occurrences[declaredOptionIndex(name)].compactMap(\.value)
        }
        return positionalValues[declaredPositionalIndex(name)]
    }

    /// Returns the value of an option or positional parameter, or throws `UsageError` when it
    /// was not given. Required positional parameters are already checked by the parser.
    func requiredString(_ name: String) throws(UsageError) -> String {
        if let value = string(name) {
            return value
        }
        if name.hasPrefix("-") {
            let option = syntax.options[declaredOptionIndex(name)]
            throw UsageError("missing option '\(option.synopsis)'", usage: syntax.usage)
        }
        throw UsageError("missing argument \(name)", usage: syntax.usage)
    }

    /// Returns the value parsed as a decimal integer, or `nil` when it was not given.
    /// Throws `UsageError` when the value is not an integer that fits in `Int`.
    func integer(_ name: String) throws(UsageError) -> Int? {
        try integer(name, minimum: nil, maximum: nil)
    }

    /// Returns the value parsed as a decimal integer within `range`, or `nil` when it was not
    /// given. Throws `UsageError` when the value is not an integer or lies outside `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        try integer(name, minimum: range.lowerBound, maximum: range.upperBound)
    }

    /// Returns the value parsed as a decimal integer of at least `range.lowerBound`, or `nil`
    /// when it was not given. Throws `UsageError` when the value is not such an integer.
    func integer(_ name: String, in range: PartialRangeFrom<Int>) throws(UsageError) -> Int? {
        try integer(name, minimum: range.lowerBound, maximum: nil)
    }

    private func integer(_ name: String, minimum: Int?, maximum: Int?) throws(UsageError) -> Int? {
        guard let text = string(name) else {
            return nil
        }

        let subject: String
        if name.hasPrefix("-") {
            let spelling = occurrences[declaredOptionIndex(name)].last?.spelling ?? name
            subject = "option '\(spelling)'"
        } else {
            subject = "argument \(name)"
        }

        let expectation: String
        switch (minimum, maximum) {
        case let (minimum?, maximum?):
            expectation = "an integer from \(minimum) to \(maximum)"
        case let (minimum?, nil):
            expectation = "an integer of at least \(minimum)"
        case let (nil, maximum?):
            expectation = "an integer of at most \(maximum)"
        case (nil, nil):
            expectation = "an integer"
        }

        guard let value = Int(text),
              minimum.map({ value >= $0 }) ?? true,
              maximum.map({ value <= $0 }) ?? true
        else {
            throw UsageError("\(subject) expects \(expectation), got '\(text)'\(Self.overflowNote(text))", usage: syntax.usage)
        }
        return value
    }

    /// Returns a note for whole-number text beyond the range of `Int`, such as
    /// `, which is larger than 9223372036854775807`, or an empty string for any other text.
    private static func overflowNote(_ text: String) -> String {
        let isNegative = text.hasPrefix("-")
        let digits = isNegative || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard Int(text) == nil, !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return "" }
        return isNegative ? ", which is smaller than \(Int.min)" : ", which is larger than \(Int.max)"
    }

    /// Returns true when the command declares the option `name`.
    func declares(_ name: String) -> Bool {
        syntax.optionIndex(named: name) != nil
    }

    /// Returns the index of a declared option. An undeclared name is a programming error.
    private func declaredOptionIndex(_ name: String) -> Int {
        guard let index = syntax.optionIndex(named: name) else {
            preconditionFailure("option '\(name)' is not declared for '\(syntax.command)'")
        }
        return index
    }

    /// Returns the index of a declared positional parameter. An undeclared name is a
    /// programming error.
    private func declaredPositionalIndex(_ name: String) -> Int {
        guard let index = syntax.positionals.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("argument \(name) is not declared for '\(syntax.command)'")
        }
        return index
    }
}
