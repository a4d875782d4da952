import CLMDB
import Foundation
import Testing

@testable import CustomerLedger

// A full file system must reject an append with a clear error, keep every earlier event readable
// and verifiable, and accept appends again once space is freed. The tests mount a small tmpfs of
// their own, which needs root (CI runs as root), and unmount it afterwards.

/// A tmpfs of `megabytes` mounted on a new folder, unmounted and removed when released.
private final class SmallFileSystem {
    let directory: TemporaryDirectory
    let path: String

    init(megabytes: Int) throws {
        directory = try TemporaryDirectory()
        path = directory.path + "/small"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m,mode=0700") == 0 else {
            let code = errno
            throw StorageError(description: "mounting a \(megabytes) MB tmpfs on '\(path)' failed: \(String(cString: strerror(code)))")
        }
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
    }

    /// Fills the file system with a file of `bytes` bytes that ``free(_:)`` can delete later.
    func reserve(_ bytes: Int, name: String) throws {
        try Data(repeating: 0x5A, count: bytes).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func free(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name)
    }
}

/// Registrations of customers `range`, then `purchases` purchases spread over them, in batches of 100.
private func batches(customers range: ClosedRange<UInt64>, purchases: Int, tag: String) -> [[NewEvent]] {
    let day = time("2024-05-01")
    var events = range.map { registration(customer: $0, at: day, name: "客户 \($0)") }
    for index in 0..<purchases {
        let number = range.lowerBound + UInt64(index) % UInt64(range.count)
        events.append(purchase(customer: number, order: "\(tag)-\(index)", amount: cny("88.00"), at: day))
    }
    return stride(from: 0, to: events.count, by: 100).map { Array(events[$0..<min($0 + 100, events.count)]) }
}

@Suite("full disk", .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
    @Test func fullDiskRejectsAppendAndRecovers() throws {
        let fileSystem = try SmallFileSystem(megabytes: 4)
        try fileSystem.reserve(1 << 20, name: "reserve")
        let path = fileSystem.path + "/db"
        let ledger = try openLedger(at: path, initialMapSize: 1 << 20)

        var acknowledged: UInt64 = 0
        var failure: (any Error)?
        for batch in batches(customers: 1...2_000, purchases: 40_000, tag: "A") {
            do {
                try ledger.append(batch)
                acknowledged += UInt64(batch.count)
            } catch {
                failure = error
                break
            }
        }

        let lmdbError = try #require(failure as? LMDBError, "expected a full disk, got \(String(describing: failure))")
        #expect(lmdbError.isDiskFull)
        #expect(lmdbError.description.contains("the disk is full: free space and retry, earlier data is intact"))
        #expect(acknowledged > 1_000)
        #expect(try ledger.lastPosition() == acknowledged)
        #expect(try ledger.verify().isVerified)
        #expect(try ledger.event(at: acknowledged)?.position == acknowledged)

        try fileSystem.free("reserve")
        let late = purchase(customer: 1, order: "after-free", amount: cny("1.00"), at: time("2024-05-02"))
        try ledger.append(late)
        #expect(try ledger.lastPosition() == acknowledged + 1)
        #expect(try ledger.verify().isVerified)
        #expect(try ledger.history(of: customer(1)).last?.payload == late.payload)
    }

    @Test func reopenedLedgerIntactAfterFullDisk() throws {
        let fileSystem = try SmallFileSystem(megabytes: 3)
        let path = fileSystem.path + "/db"
        var acknowledged: UInt64 = 0
        do {
            let ledger = try openLedger(at: path, initialMapSize: 256 << 10)
            for batch in batches(customers: 1...500, purchases: 40_000, tag: "B") {
                guard (try? ledger.append(batch)) != nil else { break }
                acknowledged += UInt64(batch.count)
            }
        }

        // A new open reads exactly the acknowledged events, and its projections equal a fresh
        // fold of them, which verify computes. The disk is still full, so no replay is written.
        let reopened = try openLedger(at: path)
        #expect(acknowledged > 500)
        #expect(try reopened.lastPosition() == acknowledged)
        #expect(try reopened.statistics().eventCount == acknowledged)
        #expect(try reopened.verify().isVerified)
        #expect(try reopened.customer(customer(500))?.version ?? 0 >= 1)
    }
}
