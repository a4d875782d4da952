import Foundation
import Testing

@testable import CustomerLedger

/// h(0) of a ledger created with the default program: the hash of its stored bytes.
private let defaultGenesis = HashChain.genesis(program: LoyaltyProgram(currency: .cny).encode()).hex

@Suite struct HashChainTests {
    /// Expected values from Python's `hashlib.blake2b(h + position.to_bytes(8, "big") + record,
    /// digest_size=32)`, an implementation independent of libsodium.
    @Test func linkMatchesPythonHashlib() throws {
        try HashChain.prepare()
        let first = Array("abc".utf8).withUnsafeBytes { HashChain.link(after: .zero, position: 1, record: $0) }
        #expect(first.hex == "cd4e5ba5167a11fe178c97dd6fb858f16b8bd972bb6da70da1751698e5a85fa1")

        let second = HashChain.link(after: first, position: 2, record: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(second.hex == "4188975dc19917ac50619103ea55e95307dedc3c7a70dfcf7e5a36f4db4fdf8a")
    }

    @Test func emptyLedgerHeadIsGenesis() throws {
        try HashChain.prepare()
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        #expect(try ledger.head() == LogHead(position: 0, hash: defaultGenesis))
        #expect(defaultGenesis != String(repeating: "0", count: 64))
    }

    @Test func genesisMatchesPythonHashlib() throws {
        // hashlib.blake2b(b"customer-ledger genesis" + b"abc", digest_size=32).hexdigest()
        try HashChain.prepare()
        #expect(
            HashChain.genesis(program: Array("abc".utf8)).hex
                == "0fbb8c7ce2f4106a5ba9210b399dcc8e46c5aaadced79aa4adfd1d7304026092")
    }

    @Test func headChangesWithEveryAppend() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        var heads: [LogHead] = []
        do {
            let ledger = try openLedger(at: path)
            heads.append(try ledger.head())
            try ledger.append(registration(customer: 1, at: time("2024-01-01")))
            heads.append(try ledger.head())
            try ledger.append([
                registration(customer: 2, at: time("2024-01-02")),
                purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-01-03")),
            ])
            heads.append(try ledger.head())
            // An idempotent repeat writes nothing, so the head stays.
            let repeated = registration(customer: 3, at: time("2024-01-04"))
            try ledger.append(repeated)
            heads.append(try ledger.head())
            try ledger.append(repeated)
            #expect(try ledger.head() == heads.last)
            try ledger.append(purchase(customer: 3, order: "C-1", amount: cny("1.00"), at: time("2024-01-05")))
            heads.append(try ledger.head())
        }

        #expect(heads.map(\.position) == [0, 1, 3, 4, 5])
        #expect(Set(heads.map(\.hash)).count == heads.count)
        let recomputed = try recomputeChain(path)
        for head in heads.dropFirst() {
            #expect(recomputed[Int(head.position) - 1] == head, "head at \(head.position)")
        }
        #expect(heads.first?.hash == defaultGenesis)
    }

    @Test func storedHashesMatchRecomputation() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do {
            let ledger = try openLedger(at: path)
            try ledger.append((1...40).map { registration(customer: $0, at: time("2024-01-01")) })
        }
        let stored = try withRawLMDB(path) { txn in try txn.entries("hashes") }
        let recomputed = try recomputeChain(path)

        #expect(stored.count == 40)
        #expect(stored.map { $0.key } == (1...40).map { positionKey($0) })
        #expect(stored.map { hex($0.value) } == recomputed.map(\.hash))
    }

    @Test func formatOneLedgerIsUpgraded() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let headBefore: LogHead
        do {
            let ledger = try openLedger(at: path)
            try ledger.append([
                registration(customer: 1, at: time("2024-01-01")),
                purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-01-02")),
                registration(customer: 2, at: time("2024-01-03")),
            ])
            headBefore = try ledger.head()
        }
        // The layout of format 1: no hashes table and no chain head.
        try withRawLMDB(path) { txn in
            try txn.drop("hashes")
            try txn.delete("meta", Array("chain.head".utf8))
            try txn.put("meta", Array("format".utf8), [1])
        }

        let readOnlyError = #expect(throws: LedgerError.self) { try openLedger(at: path, readOnly: true) }
        #expect(readOnlyError == Schema.upgradeNeeded(from: 1))
        #expect(readOnlyError?.description.contains("open it once writable to upgrade it") == true)

        do {
            let ledger = try openLedger(at: path)
            #expect(try ledger.head() == headBefore)
            #expect(try ledger.verify().isVerified)
            try ledger.append(purchase(customer: 2, order: "B-1", amount: cny("5.00"), at: time("2024-01-04")))
            #expect(try ledger.head().position == 4)
        }
        let format = try withRawLMDB(path) { txn in try txn.get("meta", Array("format".utf8)) }
        #expect(format == [3])
        let reopened = try openLedger(at: path, readOnly: true)
        #expect(try reopened.head() == LogHead(position: 4, hash: try recomputeChain(path).last!.hash))
        #expect(try reopened.verify().isVerified)
    }

    @Test func appendAfterChangedHeadIsRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do {
            let ledger = try openLedger(at: path)
            try ledger.append([registration(customer: 1, at: time("2024-01-01")), registration(customer: 2, at: time("2024-01-01"))])
        }
        try withRawLMDB(path) { txn in
            try txn.put("meta", Array("chain.head".utf8), positionKey(1) + [UInt8](repeating: 7, count: 32))
        }

        let ledger = try openLedger(at: path)
        let error = #expect(throws: LedgerError.self) {
            try ledger.append(registration(customer: 3, at: time("2024-01-02")))
        }
        #expect(error == .brokenHashChain("its head is at position 1 but the log ends at 2, so the next event cannot be chained"))
        #expect(try ledger.lastPosition() == 2)

        let report = try ledger.verify()
        #expect(report.findings.first?.kind == .headMismatch)
        #expect(report.findings.first?.position == 1)
    }
}

/// Returns the hash chain recomputed by ``recomputeChain(_:)`` as one head per stored event.
private func recomputeChain(_ path: String) throws -> [LogHead] {
    try recomputeChainSteps(path).map { LogHead(position: $0.position, hash: $0.hash) }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
