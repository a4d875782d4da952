import CustomerLedger
import Foundation

/// `ledger doctor`: LMDB storage figures and the reader table, with stale reader slots.
enum DoctorCommand: Subcommand {
    static let name = "doctor"
    static let syntax = ArgumentList.Syntax(
        command: "ledger doctor",
        summary: "Show LMDB storage figures (map size, pages per table, free pages) and the reader table with its stale slots.",
        options: [
            CommandContext.databaseOption,
            .flag(
                "--clear-stale-readers",
                help: "After the report, free the reader slots of processes that no longer exist and print how many were freed. "
                    + "Such a slot keeps LMDB from reusing pages freed after its snapshot, so the file grows. "
                    + "Other commands free them when they open the ledger; this command reports them first."),
            CommandContext.jsonOption,
        ])

    static func run(_ context: CommandContext) throws {
        // Read-only and without the check at open, so the report shows the stale slots as found.
        let ledger = try context.openExistingLedger(readOnly: true, clearingStaleReaders: false)
        let report = try ledger.diagnostics()
        let cleared = context.arguments.flag("--clear-stale-readers") ? try ledger.clearStaleReaders() : nil

        if context.wantsJSON {
            context.printJSON(json(report, cleared: cleared))
        } else {
            Console.out(text(report, cleared: cleared))
        }
    }

    static func json(_ report: StorageDiagnostics, cleared: Int?) -> JSONValue {
        let databases = report.databases.map { pages in json(pages, name: pages.name) }
        let readers: [JSONValue] = report.readers.map { slot in
            .object([
                ("pid", JSONValue(slot.processID)),
                ("thread", .string(String(slot.threadID, radix: 16))),
                ("txn_id", slot.transactionID.map { JSONValue($0) } ?? .null),
                ("stale", JSONValue(slot.isStale)),
            ])
        }
        return .object([
            ("lmdb_version", .string(report.lmdbVersion)),
            ("map_size_bytes", JSONValue(report.mapSizeBytes)),
            ("page_size", JSONValue(report.pageSize)),
            ("last_page_number", JSONValue(report.lastPageNumber)),
            ("last_txn_id", JSONValue(report.lastTransactionID)),
            ("data_file_size_bytes", JSONValue(report.dataFileSizeBytes)),
            ("pages_in_use", JSONValue(report.pagesInUse)),
            ("free_pages", JSONValue(report.freePages)),
            ("reusable_free_pages", JSONValue(report.reusableFreePages)),
            ("free_list_tree_pages", JSONValue(report.freeListTreePages)),
            ("main_database", json(report.mainDatabase, name: nil)),
            ("tables", .array(databases)),
            ("max_readers", JSONValue(report.maxReaders)),
            ("readers", .array(readers)),
            ("stale_readers", JSONValue(report.staleReaders.count)),
            ("cleared_stale_readers", cleared.map { JSONValue($0) } ?? .null),
        ])
    }

    private static func json(_ pages: DatabasePages, name: String?) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let name { members.append(("name", .string(name))) }
        members += [
            ("entries", JSONValue(pages.entries)),
            ("depth", JSONValue(pages.depth)),
            ("branch_pages", JSONValue(pages.branchPages)),
            ("leaf_pages", JSONValue(pages.leafPages)),
            ("overflow_pages", JSONValue(pages.overflowPages)),
            ("pages", JSONValue(pages.pages)),
        ]
        return .object(members)
    }

    static func text(_ report: StorageDiagnostics, cleared: Int?) -> String {
        let filePages = report.pageSize > 0 ? report.dataFileSizeBytes / Int64(report.pageSize) : 0
        let stale = report.staleReaders.count
        var output = Formatting.labelled([
            ("LMDB", report.lmdbVersion),
            ("map size", "\(Formatting.grouped(report.mapSizeBytes)) bytes"),
            ("page size", "\(Formatting.grouped(report.pageSize)) bytes"),
            ("data file", "\(Formatting.grouped(report.dataFileSizeBytes)) bytes (\(Formatting.count(filePages, "page")))"),
            ("last page", Formatting.grouped(report.lastPageNumber)),
            ("last transaction", Formatting.grouped(report.lastTransactionID)),
            ("pages in use", Formatting.grouped(report.pagesInUse)),
            ("free pages", "\(Formatting.grouped(report.freePages)) (\(Formatting.grouped(report.reusableFreePages)) reusable now)"),
            ("max readers", Formatting.grouped(report.maxReaders)),
            ("readers", "\(Formatting.grouped(report.readers.count)) (\(Formatting.grouped(stale)) stale)"),
        ])

        var tables = TextTable(columns: [
            .init("TABLE"), .init("ENTRIES", alignment: .right), .init("DEPTH", alignment: .right),
            .init("BRANCH", alignment: .right), .init("LEAF", alignment: .right),
            .init("OVERFLOW", alignment: .right), .init("PAGES", alignment: .right),
        ])
        for pages in report.databases + [report.mainDatabase] {
            tables.addRow([
                pages.name.isEmpty ? "(main)" : pages.name, Formatting.grouped(pages.entries), String(pages.depth),
                Formatting.grouped(pages.branchPages), Formatting.grouped(pages.leafPages),
                Formatting.grouped(pages.overflowPages), Formatting.grouped(pages.pages),
            ])
        }
        tables.addRow(["(free list tree)", "", "", "", "", "", Formatting.grouped(report.freeListTreePages)])
        tables.addRow(["(meta pages)", "", "", "", "", "", "2"])
        tables.addRow(["total in use", "", "", "", "", "", Formatting.grouped(report.pagesInUse)])
        output += "\n" + tables.render()

        if !report.readers.isEmpty {
            var readers = TextTable(columns: [
                .init("PID", alignment: .right), .init("THREAD"), .init("TXN", alignment: .right), .init("PROCESS"),
            ])
            for slot in report.readers {
                readers.addRow([
                    String(slot.processID), String(slot.threadID, radix: 16),
                    slot.transactionID.map { String($0) } ?? "-", slot.isStale ? "gone (stale slot)" : "running",
                ])
            }
            output += "\n" + readers.render()
        }

        if let cleared {
            output += "\ncleared \(Formatting.count(cleared, "stale reader slot"))\n"
        } else if stale > 0 {
            output += "\nrun 'ledger doctor --clear-stale-readers' to free the stale slots, so that LMDB can reuse the pages they hold\n"
        }
        return output
    }
}
