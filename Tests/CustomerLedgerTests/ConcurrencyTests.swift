import Foundation
import Testing

@testable import CustomerLedger

// Reader threads call the public read API while a writer appends, and a subscription follows the
// log. Every batch of the writer gives each customer one purchase of 10.00 CNY, so any read of
// one snapshot finds the same number of purchases for every customer, and a customer's
// version, spend and history agree with each other.

private let customerCount: UInt64 = 20
private let batchCount = 150
private let purchaseAmount: Int64 = 1_000

/// The checks one reader thread makes on each read, adding a message for each problem.
private struct SnapshotChecks {
    let ledger: Ledger
    let problems: MessageLog
    let name: String

    func checkCustomers() throws -> Int64 {
        var counts: Set<Int64> = []
        var seen = 0
        try ledger.forEachCustomer { state in
            seen += 1
            counts.insert(state.purchaseCount)
            checkState(state, in: "forEachCustomer")
        }
        if seen != Int(customerCount) { problems.add("\(name): forEachCustomer visited \(seen) customers") }
        if counts.count != 1 { problems.add("\(name): one forEachCustomer saw purchase counts \(counts.sorted())") }
        return counts.first ?? 0
    }

    func checkState(_ state: CustomerState, in read: String) {
        if Int64(state.version) != state.purchaseCount + 1 {
            problems.add("\(name): \(read) of \(state.customerID) has version \(state.version) and \(state.purchaseCount) purchases")
        }
        let net = state.spend(in: .cny).net
        if net != state.purchaseCount * purchaseAmount {
            problems.add("\(name): \(read) of \(state.customerID) has net spend \(net) for \(state.purchaseCount) purchases")
        }
    }

    func checkCustomer(_ id: CustomerID) throws {
        guard let state = try ledger.customer(id) else {
            problems.add("\(name): customer \(id) not found")
            return
        }
        checkState(state, in: "customer")
    }

    func checkHistory(_ id: CustomerID) throws {
        let history = try ledger.history(of: id)
        if history.map(\.version) != Array(1...UInt32(history.count)) {
            problems.add("\(name): history of \(id) has versions \(history.map(\.version).prefix(10))…")
        }
        if zip(history, history.dropFirst()).contains(where: { $0.position >= $1.position }) {
            problems.add("\(name): history of \(id) has positions out of order")
        }
    }

    func checkLog() throws {
        let statistics = try ledger.statistics()
        if statistics.eventCount < customerCount || (statistics.eventCount - customerCount) % customerCount != 0 {
            problems.add("\(name): statistics count \(statistics.eventCount) events, not whole batches")
        }
        let window = try ledger.events(from: max(1, statistics.eventCount &- 30), limit: 64)
        if zip(window, window.dropFirst()).contains(where: { $0.position + 1 != $1.position }) {
            problems.add("\(name): events(from:limit:) returned positions with a gap")
        }
    }
}

@Suite struct ConcurrencyTests {
    @Test func readersSeeWholeBatches() throws {
        let directory = try TemporaryDirectory()
        // A small map, so that it also grows while the readers read.
        let ledger = try openLedger(at: directory.path + "/db", initialMapSize: 256 << 10)
        let customers = (1...customerCount).map { customer($0) }
        try ledger.append((1...customerCount).map { registration(customer: $0, at: time("2024-01-01")) })
        let finalPosition = customerCount * UInt64(batchCount + 1)

        let followed = MessageLog()
        let subscriptionDone = DispatchSemaphore(value: 0)
        Task {
            defer { subscriptionDone.signal() }
            do {
                let events = try await collect(ledger.subscribe(after: 0, pollInterval: .milliseconds(5)), through: finalPosition)
                for event in events { followed.add("\(event.position)") }
            } catch {
                followed.add("subscription failed: \(error)")
            }
        }
        let writerDone = Flag()
        let problems = MessageLog()
        let observedCounts = MessageLog()
        let readers = DispatchGroup()

        for reader in 0..<6 {
            readers.enter()
            Thread.detachNewThread {
                defer { readers.leave() }
                let checks = SnapshotChecks(ledger: ledger, problems: problems, name: "reader \(reader)")
                var rounds = 0
                while !writerDone.isSet || rounds < 5 {
                    rounds += 1
                    do {
                        observedCounts.add("\(try checks.checkCustomers())")
                        let id = customers[(reader + rounds) % customers.count]
                        try checks.checkCustomer(id)
                        try checks.checkHistory(id)
                        try checks.checkLog()
                    } catch {
                        problems.add("reader \(reader): \(error)")
                    }
                }
            }
        }

        let writer = DispatchGroup()
        writer.enter()
        Thread.detachNewThread {
            defer { writer.leave() }
            do {
                for round in 0..<batchCount {
                    try ledger.append(customers.map { id in
                        purchase(customer: id.rawValue, order: "R\(round)", amount: Money(minorUnits: purchaseAmount, currency: .cny), at: time("2024-02-01"))
                    })
                }
            } catch {
                problems.add("writer: \(error)")
            }
        }
        let writerFinished = writer.wait(timeout: .now() + 60)
        writerDone.set()
        let readersFinished = readers.wait(timeout: .now() + 60)
        let subscriptionFinished = subscriptionDone.wait(timeout: .now() + 60)

        #expect(writerFinished == .success)
        #expect(readersFinished == .success)
        #expect(problems.all == [])
        #expect(Set(observedCounts.all).count > 2, "the readers saw too few snapshots to test anything")
        #expect(subscriptionFinished == .success)
        #expect(followed.all == (1...finalPosition).map { "\($0)" })
        #expect(try ledger.lastPosition() == finalPosition)
        #expect(try ledger.verify().isVerified)
    }
}
