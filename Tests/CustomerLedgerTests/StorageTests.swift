import CLMDB
import Foundation
import Testing

@testable import CustomerLedger

@Suite struct StorageTests {
    @Test func mapGrowsFromTinySize() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let tiny = 64 << 10
        let day = time("2024-03-01")
        do {
            let ledger = try openLedger(at: path, initialMapSize: tiny)
            try ledger.append((1...100).map { registration(customer: $0, at: day, name: "顾客 \($0)") })
            for round in 0..<10 {
                try ledger.append((1...290).map { number in
                    purchase(customer: number % 100 + 1, order: "R\(round)-\(number)", amount: cny("12.34"), at: day)
                })
            }

            let statistics = try ledger.statistics()
            #expect(statistics.eventCount == 3_000)
            #expect(statistics.mapSizeBytes > Int64(tiny))
            #expect(try ledger.customer(customer(1))?.purchaseCount == 20)
            #expect(try ledger.event(at: 3_000)?.position == 3_000)
        }

        // Reopened with the same tiny size, the ledger keeps its data and grows again.
        let reopened = try openLedger(at: path, initialMapSize: tiny)
        try reopened.append((1...500).map { number in
            purchase(customer: number % 100 + 1, order: "late-\(number)", amount: cny("1.00"), at: day)
        })
        #expect(try reopened.lastPosition() == 3_500)
        #expect(try reopened.customer(customer(1))?.purchaseCount == 25)
    }

    @Test func missingFolderErrorNamesCall() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path + "/absent"

        let error = #expect(throws: LMDBError.self) { try openLedger(at: missing, readOnly: true) }

        #expect(error == LMDBError(code: ENOENT, call: "mdb_env_open", path: missing))
        #expect(error?.description == "mdb_env_open failed for '\(missing)': No such file or directory (code 2)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func pathToFileRejected() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/plain"
        try Data("not a ledger".utf8).write(to: URL(fileURLWithPath: file))

        let error = #expect(throws: StorageError.self) { try openLedger(at: file) }

        #expect(error?.description == "'\(file)' is a file, not a ledger folder; pass the path of a folder")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("not a ledger".utf8))
    }

    @Test func truncatedDataFileRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do {
            let ledger = try openLedger(at: path)
            for number in 1...300 {
                try ledger.append(registration(customer: UInt64(number), at: time("2024-03-01"), name: String(repeating: "长", count: 100)))
            }
        }
        #expect(truncate(path + "/data.mdb", 8192) == 0)

        let error = #expect(throws: StorageError.self) { try openLedger(at: path) }

        #expect(error?.description.contains("is truncated: it has 8192 bytes but its pages need") == true)
        #expect(error?.description.hasSuffix("; restore the ledger from a backup") == true)
    }

    @Test func invalidDataFileErrorNamesCall() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let garbage = Data(String(repeating: "not an LMDB file ", count: 1_000).utf8)
        try garbage.write(to: URL(fileURLWithPath: path + "/data.mdb"))

        let error = #expect(throws: LMDBError.self) { try openLedger(at: path) }

        #expect(error?.code == MDB_INVALID)
        #expect(error?.call == "mdb_env_open")
        #expect(error?.description.contains("; the folder does not hold a readable ledger database: its data.mdb is damaged") == true)
    }

    @Test func foreignDatabaseRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do {
            // An LMDB environment with no ledger tables in it.
            let environment = try Environment(path: path)
            _ = try environment.database("something-else", create: true)
        }

        let error = #expect(throws: LedgerError.self) { try openLedger(at: path, readOnly: true) }

        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        #expect(error == .incompatibleDatabase("'\(standardized)' has no 'events' table; it is not a ledger database"))
    }

    @Test func samePathTwiceThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        do {
            let ledger = try openLedger(at: path)

            for spelling in [path, path + "/", directory.path + "/./db"] {
                let error = #expect(throws: StorageError.self) { try openLedger(at: spelling) }
                #expect(
                    error?.description
                        == "the ledger at '\(standardized)' is already open in this process; reuse the open instance")
            }
            #expect(throws: StorageError.self) { try openLedger(at: path, readOnly: true) }
            #expect(try ledger.lastPosition() == 0)
        }

        let reopened = try openLedger(at: path)
        #expect(try reopened.lastPosition() == 0)
    }

    @Test func readOnlyLedgerReadsOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let day = time("2024-03-01")
        do {
            let ledger = try openLedger(at: path)
            try ledger.append([
                registration(customer: 1, at: day),
                purchase(customer: 1, order: "A-1", amount: cny("50.00"), at: day),
            ])
        }

        let ledger = try openLedger(at: path, readOnly: true)

        #expect(ledger.isReadOnly)
        #expect(try ledger.lastPosition() == 2)
        #expect(try ledger.event(at: 2)?.typeName == "PurchaseRecorded")
        #expect(try ledger.history(of: customer(1)).map(\.position) == [1, 2])
        #expect(try ledger.customer(customer(1))?.points.earned == 50)
        #expect(try ledger.tier(of: customer(1), asOf: day)?.tierName == "ordinary")
        #expect(try ledger.statistics().eventCount == 2)
        #expect(try ledger.program() == LoyaltyProgram(currency: .cny))
        let appendError = #expect(throws: LedgerError.self) {
            try ledger.append(purchase(customer: 1, order: "A-2", amount: cny("1.00"), at: day))
        }
        #expect(appendError == .readOnly)
        let replayError = #expect(throws: LedgerError.self) { try ledger.replay() }
        #expect(replayError == .readOnly)
        #expect(try ledger.lastPosition() == 2)
    }

    @Test func nestedReadDuringGrowth() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", initialMapSize: 64 << 10)
        try ledger.append(registration(customer: 1, at: time("2024-01-01")))
        let mapSizeBefore = try ledger.statistics().mapSizeBytes
        let insideRead = DispatchSemaphore(value: 0)
        let problems = MessageLog()

        let reader = DispatchGroup()
        reader.enter()
        Thread.detachNewThread {
            defer { reader.leave() }
            do {
                try ledger.forEachCustomer { state in
                    insideRead.signal()
                    // Gives the writer time to fill the map and wait for this read to end.
                    Thread.sleep(forTimeInterval: 0.3)
                    if try ledger.customer(state.customerID) == nil { problems.add("nested read found no customer") }
                }
            } catch {
                problems.add("reader: \(error)")
            }
        }
        insideRead.wait()
        let writer = DispatchGroup()
        writer.enter()
        Thread.detachNewThread {
            defer { writer.leave() }
            do {
                try ledger.append((2...1_000).map { registration(customer: $0, at: time("2024-01-02")) })
            } catch {
                problems.add("writer: \(error)")
            }
        }

        try #require(reader.wait(timeout: .now() + 20) == .success)
        try #require(writer.wait(timeout: .now() + 20) == .success)
        #expect(problems.all == [])
        #expect(try ledger.statistics().mapSizeBytes > mapSizeBefore)
        #expect(try ledger.lastPosition() == 1_000)
    }

    @Test func readersSeeConsistentSnapshots() throws {
        let directory = try TemporaryDirectory()
        // A small map, so that it also grows while readers are active.
        let ledger = try openLedger(at: directory.path + "/db", initialMapSize: 128 << 10)
        let customers = (1...5).map { customer($0) }
        try ledger.append((1...5).map { registration(customer: $0, at: time("2024-01-01")) })

        let writerDone = Flag()
        let problems = MessageLog()
        let snapshots = MessageLog()
        let group = DispatchGroup()

        for reader in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var rounds = 0
                while !writerDone.isSet || rounds < 10 {
                    rounds += 1
                    do {
                        try ledger.environment.read { txn in
                            let schema = ledger.schema
                            let position = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
                            let projected = try schema.metaUInt64(txn, Schema.MetaKey.projectionPosition)
                            let stored = UInt64(try txn.count(schema.events))
                            let counted = try schema.statistics(txn).countsByType.values.reduce(0, +)
                            if stored != position || counted != position || projected != position {
                                problems.add("reader \(reader): position \(position), projections at \(projected), \(stored) stored, \(counted) counted")
                            }
                            let source = try schema.projectionSource(txn)
                            var purchases: Int64 = 0
                            for id in customers {
                                guard let state = try source.customer(id) else {
                                    problems.add("reader \(reader): customer \(id) missing")
                                    continue
                                }
                                let history = try ledger.readHistory(txn, of: id)
                                if history.count != Int(state.version) || history.last?.position != state.lastPosition {
                                    problems.add("reader \(reader): customer \(id) at version \(state.version) has \(history.count) events")
                                }
                                purchases += state.purchaseCount
                            }
                            if purchases + 5 != Int64(position) {
                                problems.add("reader \(reader): \(purchases) purchases at position \(position)")
                            }
                            snapshots.add("\(position)")
                        }
                    } catch {
                        problems.add("reader \(reader): \(error)")
                    }
                }
            }
        }

        // The writer runs on its own thread too, so that a writer starved by the readers fails
        // the test after the timeout instead of hanging it.
        let writer = DispatchGroup()
        writer.enter()
        Thread.detachNewThread {
            defer { writer.leave() }
            do {
                for round in 0..<150 {
                    try ledger.append((0..<10).map { index in
                        purchase(
                            customer: UInt64(index % 5 + 1), order: "R\(round)-\(index)", amount: cny("9.99"),
                            at: time("2024-02-01"))
                    })
                }
            } catch {
                problems.add("writer: \(error)")
            }
        }
        let writerFinished = writer.wait(timeout: .now() + 30)
        writerDone.set()
        let readersFinished = group.wait(timeout: .now() + 30)
        writer.wait()

        #expect(writerFinished == .success)
        #expect(readersFinished == .success)
        #expect(problems.all == [])
        #expect(try ledger.lastPosition() == 1_505)
        #expect(try ledger.statistics().mapSizeBytes > 128 << 10)
        #expect(Set(snapshots.all).count > 1)
    }
}
