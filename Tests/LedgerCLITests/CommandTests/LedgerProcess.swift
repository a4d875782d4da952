import CustomerLedger
import Foundation
import Synchronization
import Testing

// Runs the built `ledger` executable as a child process, the way a user runs it. Every run gets
// its own temporary working directory and an explicit database path, so no test ever reads or
// writes ./ledger.db in the directory that `swift test` was started from.

/// Exit status and captured output of one `ledger` run.
struct CommandResult: Sendable, CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// Lines of standard output without their line ends.
    var outputLines: [String] {
        standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast(
            standardOutput.hasSuffix("\n") ? 1 : 0
        ).map(String.init)
    }

    /// The command line, status and both outputs, for test failure messages.
    var description: String {
        """
        ledger \(arguments.joined(separator: " ")) exited with status \(status)
        --- standard output:
        \(standardOutput.prefix(4_000))
        --- standard error:
        \(standardError.prefix(4_000))
        """
    }
}

/// Error raised when the test harness itself cannot run `ledger`.
struct LedgerProcessError: Error, CustomStringConvertible {
    let description: String
}

enum LedgerProcess {
    /// Maximum run time of one `ledger` process. A debug build imports the bundled file in
    /// about 2.5 s (measured on a 2-core Linux VM), so this limit only stops a hung process.
    static let timeoutSeconds = 120

    /// The package root, derived from this file's path in `Tests/LedgerCLITests/CommandTests/`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The bundled CDNOW file in the source tree, the same file the executable carries as a resource.
    static let bundledCDNOWPath = packageRoot
        .appendingPathComponent("Sources/LedgerCommandLine/Resources/cdnow/CDNOW_master.txt").path

    /// Returns the executable `name` that SwiftPM built next to the running test executable.
    ///
    /// The test target depends on the `ledger` product, so `swift build --build-tests` puts both
    /// in the same build folder. `LEDGER_EXECUTABLE` names another `ledger` instead. The package's
    /// `.build/debug` is the last resort, for runners that start the tests from elsewhere.
    static func locateExecutable(named name: String = "ledger") throws -> URL {
        // `LEDGER_EXECUTABLE` runs the tests against another build of `ledger`, such as a
        // release build for the long crash loop.
        if name == "ledger", let override = ProcessInfo.processInfo.environment["LEDGER_EXECUTABLE"], !override.isEmpty {
            guard isExecutableFile(override) else {
                throw LedgerProcessError(description: "LEDGER_EXECUTABLE is '\(override)', which is not an executable file")
            }
            return URL(fileURLWithPath: override)
        }
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        // On macOS the tests run inside `CustomerLedgerPackageTests.xctest/Contents/MacOS/`,
        // three levels below the build folder.
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath(),
            executable.path.contains(".xctest/Contents/MacOS/")
        {
            folders.append(executable.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent())
        }
        folders.append(packageRoot.appendingPathComponent(".build/debug"))

        let candidates = folders.map { $0.appendingPathComponent(name) }
        for candidate in candidates where isExecutableFile(candidate.path) {
            return candidate
        }
        throw LedgerProcessError(
            description: "the \(name) executable was not found; looked for "
                + candidates.map { "'\($0.path)'" }.joined(separator: ", ")
                + ". Build it with 'swift build --build-tests' before 'swift test --skip-build'")
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// Runs `ledger arguments` with `LEDGER_DB` set to `database` and waits for it to exit.
    ///
    /// The child inherits this process's environment with `LEDGER_DB` replaced, then gets
    /// `environment` on top. Its working directory and `TMPDIR` are a fresh temporary folder, removed
    /// afterwards together with anything the child left in it. Standard input is empty.
    static func run(
        _ arguments: [String], database: String, environment: [String: String] = [:]
    ) async throws -> CommandResult {
        try await launch(try locateExecutable(), arguments: arguments, shownArguments: arguments, database: database, environment: environment)
    }

    /// Runs `/bin/sh -c script` with `"$0"` set to the `ledger` executable, so that a test can
    /// pass argument bytes that are not valid UTF-8, which `Process` cannot: `printf '\377'`
    /// inside the script writes the byte 0xFF. Otherwise it works like ``run(_:database:environment:)``.
    static func run(shellScript script: String, database: String) async throws -> CommandResult {
        let shell = URL(fileURLWithPath: "/bin/sh")
        let arguments = ["-c", script, try locateExecutable().path]
        return try await launch(shell, arguments: arguments, shownArguments: ["(sh -c) \(script)"], database: database, environment: [:])
    }

    private static func launch(
        _ executable: URL, arguments: [String], shownArguments: [String], database: String, environment: [String: String]
    ) async throws -> CommandResult {
        try await withTemporaryFolder { scratch in
            let outputURL = URL(fileURLWithPath: scratch).appendingPathComponent("stdout")
            let errorURL = URL(fileURLWithPath: scratch).appendingPathComponent("stderr")
            let workingDirectory = URL(fileURLWithPath: scratch).appendingPathComponent("cwd", isDirectory: true)
            try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: false)
            // Output goes to files rather than pipes, so a chatty child can never block on a full pipe.
            try Data().write(to: outputURL)
            try Data().write(to: errorURL)
            let output = try FileHandle(forWritingTo: outputURL)
            defer { try? output.close() }
            let error = try FileHandle(forWritingTo: errorURL)
            defer { try? error.close() }

            var childEnvironment = ProcessInfo.processInfo.environment
            childEnvironment["LEDGER_DB"] = database
            childEnvironment["LEDGER_KEY_FILE"] = try TestKey.file()
            childEnvironment["LEDGER_ROLE"] = nil
            childEnvironment["TMPDIR"] = workingDirectory.path
            childEnvironment.merge(environment) { _, new in new }

            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.environment = childEnvironment
            process.currentDirectoryURL = workingDirectory
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = error

            let status = try await waitForExit(of: process)
            return CommandResult(
                arguments: shownArguments, status: status,
                standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
                standardError: try String(contentsOf: errorURL, encoding: .utf8))
        }
    }

    /// Starts `process` and returns its exit status, killing it after `timeoutSeconds`.
    private static func waitForExit(of process: Process) async throws -> Int32 {
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { finished in
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let deadline = DispatchTime.now() + .seconds(timeoutSeconds)
            DispatchQueue.global().asyncAfter(deadline: deadline) {
                if process.isRunning { process.terminate() }
            }
        }
        if process.terminationReason == .uncaughtSignal {
            throw LedgerProcessError(
                description: "ledger \(process.arguments?.joined(separator: " ") ?? "") was killed by signal \(status)"
                    + " (it ran longer than \(timeoutSeconds) s, or crashed)")
        }
        return status
    }
}

/// Runs `body` with the path of a new empty folder under the system's temporary directory and
/// removes the folder with its contents afterwards, also when `body` throws.
func withTemporaryFolder<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Synchronous form of `withTemporaryFolder(_:)`, for code that calls `noasync` ledger methods.
func withTemporaryFolder<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

private func makeTemporaryFolder() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// The master key of the ledgers the CLI tests create, and a key file that contains it, which every
/// `ledger` run gets through `LEDGER_KEY_FILE` unless a test sets another.
enum TestKey {
    static let key = try! MasterKey(bytes: Array(1...32))

    private static let created = Mutex<String?>(nil)

    /// Returns the path of the key file, written with mode 0600 on first use.
    static func file() throws -> String {
        try created.withLock { path in
            if let path { return path }
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("ledger-cli-test-key-\(getpid())-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let file = folder + "/master.key"
            try key.write(toFile: file)
            path = file
            return file
        }
    }
}

/// Parses each output line as a JSON object.
func jsonLines(_ result: CommandResult) throws -> [[String: Any]] {
    try result.outputLines.map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw LedgerProcessError(description: "output line is not a JSON object: \(line)")
        }
        return object
    }
}

/// Parses the whole output as one JSON object.
func jsonObject(_ result: CommandResult) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] else {
        throw LedgerProcessError(description: "output is not a JSON object: \(result)")
    }
    return object
}
