import CustomerLedger
import Foundation
import Testing

// A damaged data file must produce a clear error at open or a `verify` finding, never a crash.
// Each case damages a copy of a small CDNOW ledger in a known way and runs the built binary,
// whose signals `LedgerProcess.run` turns into test failures. The page layout used here is
// LMDB 0.9's on 64-bit Linux. A page starts with a 16-byte header (page number, pad, flags,
// lower and upper bounds), followed by 2-byte node offsets. A node has 8 header bytes (two
// 16-bit halves of the value size or child page, flags or the child page's top 16 bits, and
// the key size), followed by the key and the value.

/// The table roots of an LMDB data file, read from its newest meta page and its catalog page.
private struct DataFileLayout {
    let pageSize = 4_096
    var roots: [String: Int] = [:]
    var catalogRoot = 0

    init(_ bytes: [UInt8]) throws {
        func integer<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) -> T {
            bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        }
        // The meta record starts after the page header and ends with the transaction id. Its
        // second 48-byte table record is the main table's, whose last 8 bytes are the root.
        let transactions = [0, 1].map { integer(UInt64.self, $0 * pageSize + 16 + 128) }
        let meta = (transactions[1] > transactions[0] ? 1 : 0) * pageSize
        catalogRoot = Int(integer(UInt64.self, meta + 16 + 72 + 40))
        let page = catalogRoot * pageSize
        let count = (Int(integer(UInt16.self, page + 12)) - 16) / 2
        for index in 0..<count {
            let node = page + Int(integer(UInt16.self, page + 16 + 2 * index))
            let keySize = Int(integer(UInt16.self, node + 6))
            let name = String(decoding: bytes[(node + 8)..<(node + 8 + keySize)], as: UTF8.self)
            // An empty table has no root page (all bits set).
            let root = integer(UInt64.self, node + 8 + keySize + 40)
            if root != UInt64.max { roots[name] = Int(root) }
        }
        guard roots["events"] != nil, roots["hashes"] != nil else {
            throw LedgerProcessError(description: "the catalog page \(catalogRoot) lists no events or hashes table: \(roots)")
        }
    }
}

/// A seeded generator, so that a failing noise case can be repeated.
private struct NoiseGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

@Suite("damaged database files")
struct CorruptionCommandTests {
    /// Imports the first 3,000 CDNOW rows, whose events and hashes tables have branch pages.
    private func makeLedger(in folder: String) async throws -> String {
        // The file's lines may end in CRLF, which `String.split` on "\n" does not split.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: LedgerProcess.bundledCDNOWPath))
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(3_000)
        let file = folder + "/rows.txt"
        try Data(lines.joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]).write(to: URL(fileURLWithPath: file))
        let database = folder + "/base.db"
        let imported = try await LedgerProcess.run(["import", "cdnow", file], database: database)
        try #require(imported.status == 0, "\(imported)")
        return database
    }

    /// Copies the ledger at `base` to a new folder, lets `damage` change its data file, and returns the folder.
    private func damagedCopy(
        of base: String, named name: String, _ damage: (inout [UInt8], DataFileLayout) throws -> Void
    ) throws -> String {
        let copy = (base as NSString).deletingLastPathComponent + "/" + name
        try FileManager.default.copyItem(atPath: base, toPath: copy)
        let file = copy + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let layout = try DataFileLayout(bytes)
        try damage(&bytes, layout)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return copy
    }

    private func fileBytes(_ database: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: database + "/data.mdb"))
    }

    private static func put(_ value: UInt16, at offset: Int, in bytes: inout [UInt8]) {
        bytes[offset] = UInt8(value & 0xFF)
        bytes[offset + 1] = UInt8(value >> 8)
    }

    @Test func openErrorsNameTheDamage() async throws {
        try await withTemporaryFolder { folder in
            let base = try await makeLedger(in: folder)
            let cases: [(name: String, damage: (inout [UInt8], DataFileLayout) -> Void, message: String)] = [
                ("empty", { bytes, _ in bytes = [] }, "is empty: it was truncated, or the ledger was never written"),
                ("half", { bytes, _ in bytes.removeLast(bytes.count / 2) }, "is truncated: it has"),
                ("one-page", { bytes, layout in bytes.removeLast(bytes.count - layout.pageSize) }, "its data.mdb is damaged or not an LMDB file"),
                ("meta-noise", { bytes, _ in for index in 16..<200 { bytes[index] = UInt8(index % 251) } }, "its data.mdb is damaged or not an LMDB file"),
                ("meta-table-noise", { bytes, layout in
                    let page = layout.roots["meta"]! * layout.pageSize
                    for index in 8..<layout.pageSize { bytes[page + index] = UInt8((index * 13) % 256) }
                }, "is damaged: page"),
                ("catalog-noise", { bytes, layout in
                    let page = layout.catalogRoot * layout.pageSize
                    for index in 8..<layout.pageSize { bytes[page + index] = UInt8((index * 7) % 256) }
                }, "is damaged: page"),
            ]
            for entry in cases {
                let database = try damagedCopy(of: base, named: entry.name, entry.damage)
                let before = try fileBytes(database)
                for command in [["verify"], ["stats"], ["customer", "1"]] {
                    let result = try await LedgerProcess.run(command, database: database)
                    #expect(result.status == 74, "\(entry.name): \(result)")
                    #expect(result.standardError.contains(entry.message), "\(entry.name): \(result)")
                    #expect(result.standardError.contains("restore the ledger from a backup"), "\(entry.name): \(result)")
                }
                #expect(try fileBytes(database) == before, "\(entry.name): a command changed the damaged file")
            }
        }
    }

    @Test func verifyReportsDamagedPages() async throws {
        try await withTemporaryFolder { folder in
            let base = try await makeLedger(in: folder)
            let cases: [(name: String, table: String, damage: (inout [UInt8], Int) -> Void, detail: String)] = [
                ("page-noise", "events", { bytes, page in
                    for index in 0..<4_096 { bytes[page + index] = UInt8((index * 31 + 7) % 256) }
                }, "the page header names page"),
                ("child-beyond-end", "events", { bytes, page in
                    let node = page + Int(bytes[page + 18]) | Int(bytes[page + 19]) << 8
                    Self.put(0xFFFF, at: node, in: &bytes)
                    Self.put(0xFFFF, at: node + 2, in: &bytes)
                }, "outside the data pages"),
                ("key-past-end", "events", { bytes, page in
                    let node = page + Int(bytes[page + 18]) | Int(bytes[page + 19]) << 8
                    Self.put(0xFFF0, at: node + 6, in: &bytes)
                }, "runs past the page end"),
                ("bounds-swapped", "hashes", { bytes, page in
                    let lower = UInt16(bytes[page + 12]) | UInt16(bytes[page + 13]) << 8
                    let upper = UInt16(bytes[page + 14]) | UInt16(bytes[page + 15]) << 8
                    Self.put(upper, at: page + 12, in: &bytes)
                    Self.put(lower, at: page + 14, in: &bytes)
                }, "the free-space bounds"),
            ]
            for entry in cases {
                var damagedPage = 0
                let database = try damagedCopy(of: base, named: entry.name) { bytes, layout in
                    damagedPage = try #require(layout.roots[entry.table])
                    entry.damage(&bytes, damagedPage * layout.pageSize)
                }
                let before = try fileBytes(database)
                let result = try await LedgerProcess.run(["verify", "--json"], database: database)

                #expect(result.status == 65, "\(entry.name): \(result)")
                let report = try jsonObject(result)
                let findings = try #require(report["findings"] as? [[String: Any]], "\(entry.name): \(result)")
                let first = try #require(findings.first, "\(entry.name): no findings")
                #expect(first["kind"] as? String == "damaged-page", "\(entry.name): \(first)")
                #expect(first["page"] as? Int == damagedPage, "\(entry.name): \(first)")
                #expect((first["detail"] as? String)?.contains("table '\(entry.table)'") == true, "\(entry.name): \(first)")
                #expect((first["detail"] as? String)?.contains(entry.detail) == true, "\(entry.name): \(first)")
                #expect(report["events"] as? Int == 0, "\(entry.name): the log was read through damaged pages")
                #expect(try fileBytes(database) == before, "\(entry.name): verify changed the damaged file")
            }
        }
    }

    /// Noise at random places: verify either finds it or it fell where no live data is, such as
    /// the free middle of a page. It never crashes. `LEDGER_NOISE_SEED` repeats a run.
    @Test func randomNoiseNeverCrashesVerify() async throws {
        let seed = ProcessInfo.processInfo.environment["LEDGER_NOISE_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        try await withTemporaryFolder { folder in
            let base = try await makeLedger(in: folder)
            var generator = NoiseGenerator(state: seed)
            var found = 0
            let runs = 24
            for run in 0..<runs {
                let database = try damagedCopy(of: base, named: "noise-\(run)") { bytes, layout in
                    let pages = bytes.count / layout.pageSize
                    let page = 2 + Int(generator.next() % UInt64(pages - 2))
                    let length = 1 + Int(generator.next() % 64)
                    let start = page * layout.pageSize + Int(generator.next() % UInt64(layout.pageSize - length))
                    for index in start..<(start + length) { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
                }
                let result = try await LedgerProcess.run(["verify"], database: database)
                #expect([0, 65].contains(result.status), "seed \(seed), run \(run): \(result)")
                if result.status == 65 { found += 1 }
                try FileManager.default.removeItem(atPath: database)
            }
            // Most of a small ledger's pages are full of live entries, so most noise is found.
            #expect(found >= runs / 2, "seed \(seed): only \(found) of \(runs) damaged copies failed verification")
        }
    }
}
