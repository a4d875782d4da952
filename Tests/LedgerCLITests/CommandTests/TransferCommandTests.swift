import Foundation
import Testing

/// Two customers and three purchases: five events.
private let smallCDNOWFile = """
     customer_id  date number_of_cds  dollar_value
     00001 19970101  1   11.77
     00002 19970112  1   12.00
     00002 19970112  5   77.00

    """

/// Imports `smallCDNOWFile` into `folder`/source.db, exports it to `folder`/small.jsonl and
/// returns the ledger's path and the export's lines: the header, then positions 1 to 5.
private func makeSmallExport(in folder: String) async throws -> (database: String, lines: [String]) {
    let database = folder + "/source.db"
    let file = folder + "/small.txt"
    try smallCDNOWFile.write(toFile: file, atomically: true, encoding: .utf8)
    let imported = try await LedgerProcess.run(["import", "cdnow", file, "--actor", "cli-tests"], database: database)
    guard imported.status == 0 else { throw LedgerProcessError(description: "importing the small file failed: \(imported)") }
    let exported = try await LedgerProcess.run(["export", "--output", folder + "/small.jsonl"], database: database)
    guard exported.status == 0 else { throw LedgerProcessError(description: "exporting the small ledger failed: \(exported)") }
    let text = try String(contentsOfFile: folder + "/small.jsonl", encoding: .utf8)
    return (database, text.split(separator: "\n").map(String.init))
}

/// Returns `line` with the first occurrence of `target` replaced, failing the test when it is absent.
private func replacing(_ target: String, with replacement: String, in line: String) throws -> String {
    let range = try #require(line.range(of: target), "'\(target)' not in \(line)")
    return line.replacingCharacters(in: range, with: replacement)
}

/// Imports `bytes` as an export file into a new ledger and expects exit code 65 with `message`
/// on standard error, and no ledger folder left behind.
private func expectRejected(
    _ bytes: [UInt8], in folder: String, message: String, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let file = folder + "/bad.jsonl"
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    let target = folder + "/target.db"

    let result = try await LedgerProcess.run(["import", "jsonl", file], database: target)

    #expect(result.status == 65, "\(result)", sourceLocation: sourceLocation)
    #expect(
        result.standardError == "ledger import jsonl: \(file): \(message); nothing was written\n", "\(result)",
        sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: target), sourceLocation: sourceLocation)
}

private func joined(_ lines: [String]) -> [UInt8] {
    Array((lines.joined(separator: "\n") + "\n").utf8)
}

@Suite("ledger export and import jsonl on the bundled CDNOW data", .importedCDNOWLedger)
struct CDNOWTransferCommandTests {
    @Test func roundTripKeepsHead() async throws {
        let source = try ImportedCDNOWLedger.shared().database
        try await withTemporaryFolder { folder in
            let file = folder + "/cdnow.jsonl"
            let exported = try await LedgerProcess.run(["export", "--output", file], database: source)
            #expect(exported.status == 0, "\(exported)")
            #expect(exported.standardOutput == "exported 93,229 events (positions 1 to 93229) to \(file)\n")
            var info = stat()
            #expect(stat(file, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)

            let target = folder + "/copy.db"
            let imported = try await LedgerProcess.run(["import", "jsonl", file], database: target)
            #expect(imported.status == 0, "\(imported)")

            let sourceHead = try await LedgerProcess.run(["head"], database: source)
            let targetHead = try await LedgerProcess.run(["head"], database: target)
            #expect(sourceHead.status == 0)
            #expect(targetHead.standardOutput == sourceHead.standardOutput)
            #expect(imported.standardOutput == """
                imported 93,229 events from \(file): 93,229 appended, 0 already present
                head at position 93229, hash \(sourceHead.standardOutput.split(separator: " ").last!)
                """)

            // Replay prints the fingerprint of the projections it rebuilt.
            let sourceReplay = try await LedgerProcess.run(["replay", "--json"], database: source)
            let targetReplay = try await LedgerProcess.run(["replay", "--json"], database: target)
            #expect(fingerprint(sourceReplay.standardOutput) == fingerprint(targetReplay.standardOutput))
            #expect(fingerprint(sourceReplay.standardOutput) != nil)
            let verified = try await LedgerProcess.run(["verify"], database: target)
            #expect(verified.status == 0, "\(verified)")

            let again = try await LedgerProcess.run(["import", "jsonl", file], database: target)
            #expect(again.standardOutput.hasPrefix("imported 93,229 events from \(file): 0 appended, 93,229 already present\n"))
        }
    }

    @Test func customerExportToStandardOutput() async throws {
        let source = try ImportedCDNOWLedger.shared().database

        let result = try await LedgerProcess.run(["export", "--customer", "2"], database: source)

        #expect(result.status == 0, "\(result)")
        let lines = result.outputLines
        #expect(lines.count == 4)
        #expect(lines[0].contains("\"customer_id\":2,"))
        #expect(lines[1].hasPrefix("{\"position\":3,"))
        #expect(lines[1].contains("\"type\":\"CustomerRegistered\""))
        #expect(lines[3].contains("\"amount\":{\"minor_units\":7700,\"currency\":\"USD\"}"))
    }

    @Test func backupWhileOpen() async throws {
        let source = try ImportedCDNOWLedger.shared().database
        try await withTemporaryFolder { folder in
            let destination = folder + "/backup"

            let result = try await LedgerProcess.run(["backup", destination, "--json"], database: source)

            #expect(result.status == 0, "\(result)")
            let head = try await LedgerProcess.run(["head", "--json"], database: destination)
            let sourceHead = try await LedgerProcess.run(["head", "--json"], database: source)
            #expect(head.standardOutput == sourceHead.standardOutput)
            #expect(result.standardOutput.contains("\"position\": 93229"))
            let verified = try await LedgerProcess.run(["verify"], database: destination)
            #expect(verified.status == 0, "\(verified)")

            let again = try await LedgerProcess.run(["backup", destination], database: source)
            #expect(again.status == 74)
            #expect(again.standardError.contains("the backup folder '\(destination)' is not empty"), "\(again)")
        }
    }

    /// Returns the `fingerprint` value of `replay --json` output.
    private func fingerprint(_ output: String) -> String? {
        guard let range = output.range(of: "\"fingerprint\": \"") else { return nil }
        return String(output[range.upperBound...].prefix(16))
    }
}

@Suite("ledger import jsonl rejects damaged files")
struct TransferCommandErrorTests {
    @Test func truncatedLine() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var cut = lines
            cut[5] = String(cut[5].prefix(120))

            try await expectRejected(
                joined(cut), in: folder,
                message: "line 6: invalid JSON at column 121: the text ends inside a string; expected a closing '\"'; a line cut short or joined with another shows this")
        }
    }

    @Test func missingLastLines() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)

            try await expectRejected(
                joined(Array(lines.prefix(4))), in: folder,
                message: "line 4: the file ends after this line with 3 events, but its header covers positions 1 to 5, 5 events; the file is truncated")
        }
    }

    @Test func reorderedLines() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var swapped = lines
            swapped.swapAt(2, 3)

            try await expectRejected(
                joined(swapped), in: folder,
                message: "line 3, field position: 3 where 2 comes next; positions run consecutively, so events are missing or out of order")
        }
    }

    @Test func positionGap() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var gap = lines
            gap[3] = try replacing("\"position\":3,", with: "\"position\":4,", in: gap[3])

            try await expectRejected(
                joined(gap), in: folder,
                message: "line 4, field position: 4 where 3 comes next; positions run consecutively, so events are missing or out of order")
        }
    }

    @Test func editedAmount() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var edited = lines
            edited[5] = try replacing("\"minor_units\":7700", with: "\"minor_units\":7701", in: edited[5])

            let file = folder + "/bad.jsonl"
            try Data(joined(edited)).write(to: URL(fileURLWithPath: file))
            let result = try await LedgerProcess.run(["import", "jsonl", file], database: folder + "/target.db")

            #expect(result.status == 65, "\(result)")
            #expect(result.standardError.hasPrefix("ledger import jsonl: \(file): line 6, field hash: the event hashes to "), "\(result)")
            #expect(result.standardError.hasSuffix("so it was changed after the export (or an earlier one was); nothing was written\n"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/target.db"))
        }
    }

    @Test func unknownField() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var edited = lines
            edited[2] = try replacing("\"channel\":", with: "\"colour\":\"red\",\"channel\":", in: edited[2])

            try await expectRejected(
                joined(edited), in: folder,
                message: "line 3, field payload.colour: unknown key; expected one of order_id, amount, line_items, channel, store")
        }
    }

    /// Errors about fields that contain personal data name the line, the field and what was
    /// expected, and never the value. Each case replaces the type and payload of line 2, the
    /// registration of customer 1.
    @Test func personalFieldErrorsHideValues() async throws {
        let withheld = "not shown because the field contains personal data"
        let registration = #""name":"","phone":"","email":"","birthday":null,"province":"","city":"","address":"","referrer":null"#
        let cases: [(type: String, payload: String, message: String)] = [
            ("CustomerRegistered", registration.replacingOccurrences(of: #""phone":"""#, with: #""phone":13800138000"#),
             "field payload.phone: expected a string, empty for none, got a number, \(withheld)"),
            ("CustomerRegistered", registration.replacingOccurrences(of: #""name":"""#, with: #""name":12345678"#),
             "field payload.name: expected a string, empty for none, got a number, \(withheld)"),
            ("CustomerRegistered", registration.replacingOccurrences(of: #""email":"""#, with: #""email":true"#),
             "field payload.email: expected a string, empty for none, got a boolean, \(withheld)"),
            ("CustomerRegistered", registration.replacingOccurrences(of: #""address":"""#, with: #""address":221"#),
             "field payload.address: expected a string, empty for none, got a number, \(withheld)"),
            ("CustomerRegistered", registration.replacingOccurrences(of: #""birthday":null"#, with: #""birthday":"1990-02-30张伟""#),
             "field payload.birthday: expected a date such as \"1990-03-15\", got a string, \(withheld)"),
            ("ProfileUpdated", #""phone":13800138000"#,
             "field payload.phone: expected a string, got a number, \(withheld)"),
            ("ProfileUpdated", #""birthday":"1990-02-30张伟""#,
             "field payload.birthday: expected a date such as \"1990-03-15\", got a string, \(withheld)"),
            ("ProfileUpdated", #""name":19900230"#,
             "field payload.name: expected a string, got a number, \(withheld)"),
            ("FeedbackRecorded", #""channel":"survey","rating":1,"complaint":true,"text":13800138000"#,
             "field payload.text: expected a string, empty for none, got a number, \(withheld)"),
        ]
        let payloadPattern = try Regex(#""type":"CustomerRegistered"(.*)"payload":\{[^}]*\}"#)
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            for (type, payload, message) in cases {
                let match = try #require(lines[1].firstMatch(of: payloadPattern), "no registration payload in \(lines[1])")
                let between = try #require(match.output[1].substring)
                var edited = lines
                edited[1].replaceSubrange(
                    match.range, with: "\"type\":\"\(type)\"\(between)\"payload\":{\(payload)}")

                // The whole message is compared, so it contains no part of the value.
                try await expectRejected(joined(edited), in: folder, message: "line 2, \(message)")
            }

            var sealed = lines
            sealed[1] = try replacing(#""personal_hex":""#, with: #""personal_hex":"zz"#, in: sealed[1])
            try await expectRejected(
                joined(sealed), in: folder,
                message: "line 2, field sealed.personal_hex: expected lowercase hex digits, two per byte, got a string, \(withheld)")
        }
    }

    @Test func missingField() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var edited = lines
            edited[1] = try replacing("\"actor\":\"cli-tests\",", with: "", in: edited[1])

            try await expectRejected(joined(edited), in: folder, message: "line 2, field actor: required key is missing")
        }
    }

    @Test func duplicateEventID() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            let idPattern = try Regex("\"event_id\":\"[0-9a-f-]+\"")
            let firstID = try #require(lines[2].firstMatch(of: idPattern)).output[0].substring!
            var edited = lines
            edited[4] = edited[4].replacing(idPattern, with: String(firstID))

            try await expectRejected(
                joined(edited), in: folder,
                message: "line 5, field event_id: \(firstID.dropFirst(12).dropLast()) is also the id of the event at position 2; every event needs its own id")
        }
    }

    @Test func invalidUTF8() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            var bytes = joined(Array(lines.prefix(2)))
            var third = Array(lines[2].utf8)
            let offset = try #require(lines[2].range(of: "cdnow.com")).lowerBound.utf16Offset(in: lines[2])
            third[offset] = 0xFF
            bytes += third + [0x0A]

            try await expectRejected(
                bytes, in: folder,
                message: "line 3: invalid UTF-8: byte \(offset + 1) of the line is 0xff; the file must be UTF-8, as 'ledger export' writes it")
        }
    }

    @Test func emptyFile() async throws {
        try await withTemporaryFolder { folder in
            try await expectRejected(
                [], in: folder,
                message: "line 1: the file is empty; expected a header line and one event per line, as 'ledger export' writes them")
        }
    }

    @Test func notAnExport() async throws {
        try await withTemporaryFolder { folder in
            try await expectRejected(
                Array("{\"format\":\"other\"}\n".utf8), in: folder,
                message: "line 1, field format: \"other\" is not \"customer-ledger-events\"; this is not a file of 'ledger export'")
        }
    }

    @Test func exportOfAnotherLedgerLeavesLedgerUnchanged() async throws {
        try await withTemporaryFolder { folder in
            let (_, lines) = try await makeSmallExport(in: folder)
            let other = folder + "/other.db"
            let file = folder + "/other.txt"
            try smallCDNOWFile.write(toFile: file, atomically: true, encoding: .utf8)
            _ = try await LedgerProcess.run(["import", "cdnow", file, "--actor", "someone-else"], database: other)
            let before = try await LedgerProcess.run(["head"], database: other)
            let export = folder + "/small.jsonl"
            try Data(joined(lines)).write(to: URL(fileURLWithPath: export))

            let result = try await LedgerProcess.run(["import", "jsonl", export], database: other)

            #expect(result.status == 65, "\(result)")
            #expect(result.standardError.contains("line 2, field recorded_at: the ledger already has another event at position 1"), "\(result)")
            let after = try await LedgerProcess.run(["head"], database: other)
            #expect(after.standardOutput == before.standardOutput)
        }
    }

    @Test func missingFile() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["import", "jsonl", folder + "/none.jsonl"], database: folder + "/t.db")

            #expect(result.status == 66, "\(result)")
            #expect(result.standardError == "ledger import jsonl: export file '\(folder)/none.jsonl' not found; check the path\n")
        }
    }

    @Test func customerExportRejected() async throws {
        try await withTemporaryFolder { folder in
            let (database, _) = try await makeSmallExport(in: folder)
            let file = folder + "/customer.jsonl"
            let exported = try await LedgerProcess.run(["export", "--customer", "2", "--output", file], database: database)
            #expect(exported.standardOutput == "exported 3 events of customer 2 to \(file)\n")

            let result = try await LedgerProcess.run(["import", "jsonl", file], database: folder + "/target.db")

            #expect(result.status == 65)
            #expect(result.standardError.contains(
                "line 1, field customer_id: the export contains only the events of customer 2, whose positions have gaps"), "\(result)")
        }
    }

    @Test func exportArgumentsChecked() async throws {
        try await withTemporaryFolder { folder in
            let (database, _) = try await makeSmallExport(in: folder)

            let late = try await LedgerProcess.run(["export", "--from", "7"], database: database)
            let unknown = try await LedgerProcess.run(["export", "--customer", "9"], database: database)
            let invalid = try await LedgerProcess.run(["export", "--customer", "x"], database: database)

            #expect(late.status == 64)
            #expect(late.standardError.hasPrefix("ledger export: --from 7 is after the last position 5 of the ledger; pass at most 6\n"))
            #expect(unknown.status == 66)
            #expect(invalid.status == 64)
        }
    }
}

@Suite("ledger export --output writes through a private temporary file")
struct ExportOutputFileTests {
    /// A symbolic link at `FILE.tmp`, the fixed temporary name that exports used before, must
    /// not redirect the export into its target.
    @Test func plantedTemporaryLinkIsNotFollowed() async throws {
        try await withTemporaryFolder { folder in
            let (database, _) = try await makeSmallExport(in: folder)
            let output = folder + "/out/events.jsonl"
            let victim = folder + "/victim.txt"
            try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: false)
            try "keep me\n".write(toFile: victim, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: output + ".tmp", withDestinationPath: victim)

            let result = try await LedgerProcess.run(["export", "--output", output], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n", "the export wrote through the link")
            let attributes = try FileManager.default.attributesOfItem(atPath: output)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "the output is not a regular file")
            #expect(attributes[.posixPermissions] as? Int == 0o600)
            let exported = try String(contentsOfFile: output, encoding: .utf8)
            #expect(exported.hasPrefix("{\"format\":\"customer-ledger-events\""), "\(exported.prefix(200))")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: output + ".tmp") == victim)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out").sorted() == ["events.jsonl", "events.jsonl.tmp"])
        }
    }

    @Test func failedRenameRemovesTemporaryFile() async throws {
        try await withTemporaryFolder { folder in
            let (database, _) = try await makeSmallExport(in: folder)
            // A folder that is not empty cannot be replaced by rename(2), so the export fails
            // after it wrote the whole temporary file.
            let output = folder + "/out/events.jsonl"
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try "x\n".write(toFile: output + "/inside", atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(["export", "--output", output], database: database)

            #expect(result.status == 74, "\(result)")
            #expect(result.standardError.contains("to '\(output)': "), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out") == ["events.jsonl"])
        }
    }

    @Test func missingFolderFailsWithoutFiles() async throws {
        try await withTemporaryFolder { folder in
            let (database, _) = try await makeSmallExport(in: folder)
            let output = folder + "/missing/events.jsonl"

            let result = try await LedgerProcess.run(["export", "--output", output], database: database)

            #expect(result.status == 74, "\(result)")
            #expect(
                result.standardError.contains("cannot create a temporary file in '\(folder)/missing': No such file or directory"),
                "\(result)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/missing"))
        }
    }
}

@Suite("ledger import csv")
struct CSVImportCommandTests {
    static let file = """
        member,order_no,total,paid_at,item,qty\r
        42,SO-1,128.80,2024-03-02T15:30:00+08:00,TEA-01,2\r
        "7",SO-2,"1,000.00",2024-03-03,,\r

        """
    static let map = "member=customer,order_no=order,total=amount,paid_at=occurred_at,item=sku,qty=quantity"

    @Test func importIsIdempotent() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            try Self.file.replacingOccurrences(of: "\"1,000.00\"", with: "1000.00")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let database = folder + "/shop.db"

            let first = try await LedgerProcess.run(["import", "csv", file, "--map", Self.map], database: database)
            let second = try await LedgerProcess.run(["import", "csv", file, "--map", Self.map], database: database)

            #expect(first.status == 0, "\(first)")
            #expect(first.standardOutput == "imported 2 rows from \(file): 4 events appended (2 new customers), 0 already present\n")
            #expect(second.standardOutput == "imported 2 rows from \(file): 0 events appended (0 new customers), 2 already present\n")
            let history = try await LedgerProcess.run(["history", "42", "--json"], database: database)
            #expect(history.standardOutput.contains("\"amount\":{\"minor_units\":12880,\"currency\":\"CNY\"}"))
            #expect(history.standardOutput.contains("\"source\":\"csv\""))
        }
    }

    @Test func invalidAmountNamesLineAndColumn() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)
            let database = folder + "/shop.db"

            let result = try await LedgerProcess.run(["import", "csv", file, "--map", Self.map], database: database)

            #expect(result.status == 65)
            #expect(result.standardError == "ledger import csv: \(file): line 3, column total: invalid amount '1,000.00': expected digits with an optional decimal point; nothing was written\n")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test func invalidMappingIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)

            let missing = try await LedgerProcess.run(["import", "csv", file], database: folder + "/shop.db")
            let unknown = try await LedgerProcess.run(
                ["import", "csv", file, "--map", Self.map + ",x=colour"], database: folder + "/shop.db")

            #expect(missing.status == 64)
            #expect(unknown.status == 64)
            #expect(unknown.standardError.hasPrefix("ledger import csv: invalid column mapping: unknown field 'colour' in 'x=colour'"))
        }
    }
}
