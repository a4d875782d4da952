import CustomerLedger
import Foundation

/// `ledger keygen FILE`: creates a master key file for encrypting personal data.
enum KeygenCommand: Subcommand {
    static let name = "keygen"
    static let syntax = ArgumentList.Syntax(
        command: "ledger keygen",
        summary: "Create a new master key file with mode 0600 and show its fingerprint, never the key.",
        options: [
            .flag("--json", help: "Write the file path and the key's fingerprint as JSON."),
        ],
        positionals: [
            .required(
                "FILE",
                help: "The key file to create. An existing file is never replaced (exit 74), because a ledger encrypted under the key in that file cannot be read without it."),
        ])

    static func run(_ context: CommandContext) throws {
        let path = try context.arguments.requiredString("FILE")
        guard !path.isEmpty else { throw UsageError("argument FILE is empty; pass the path of a new key file") }
        // lstat, so that a dangling symbolic link counts as an existing file too.
        var info = stat()
        if lstat(path, &info) == 0 {
            throw CommandFailure(
                "'\(path)' already exists; choose a new file name, because a key file is never overwritten", code: .ioError)
        }

        let key = MasterKey.generate()
        do {
            try key.write(toFile: path)
        } catch let error as PrivacyError {
            var info = stat()
            let hint = lstat(path, &info) == 0 ? "" : "; check that the folder of '\(path)' exists and is writable"
            throw CommandFailure(error.description + hint, code: .ioError)
        }
        // Reading the file back applies the checks of every later command, such as its mode,
        // so that a key file they would reject is removed at once.
        do {
            _ = try MasterKey(contentsOfFile: path)
        } catch let error as PrivacyError {
            unlink(path)
            throw CommandFailure("\(error.description); the new key file was removed", code: .ioError)
        }

        if context.wantsJSON {
            context.printJSON(.object([
                ("path", .string(path)),
                ("absolute_path", .string(URL(fileURLWithPath: path).standardizedFileURL.path)),
                ("fingerprint", .string(key.fingerprint)),
                ("mode", .string("0600")),
            ]))
            return
        }
        Console.out(
            Formatting.labelled([
                ("key file", "\(path) (mode 0600)"),
                ("fingerprint", key.fingerprint),
            ]))
        Console.out(
            "Pass the file with --key-file \(CommandContext.shellQuoted(path)) or LEDGER_KEY_FILE. Keep a copy in a safe place: "
                + "without it, the personal data of a ledger created with this key cannot be read.\n")
    }
}
