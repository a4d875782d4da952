import Foundation
import Testing

@testable import CustomerLedger

/// Returns the permission bits of the file or folder at `path`.
private func mode(_ path: String) -> mode_t {
    var info = stat()
    #expect(stat(path, &info) == 0, "stat \(path)")
    return info.st_mode & 0o777
}

/// Returns the stored chain hash at `position` in hex.
private func storedHash(_ ledger: Ledger, at position: UInt64) throws -> String {
    try ledger.environment.read { txn in try ledger.schema.storedHash(txn, at: position).hex }
}

/// Appends customer `number`'s registration and a purchase in one batch.
private func appendCustomer(_ ledger: Ledger, _ number: UInt64) throws {
    try ledger.append([
        registration(customer: number, at: time("2024-01-01")),
        purchase(customer: number, order: "O-\(number)", amount: cny("12.34"), at: time("2024-01-02")),
    ])
}

@Suite struct BackupTests {
    @Test func backupDuringConcurrentAppends() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source", initialMapSize: 1 << 20)
        for number in 1...2_000 { try appendCustomer(ledger, UInt64(number)) }

        // Another thread appends from before the backup starts until after it ends; the small
        // map makes the appends grow it meanwhile.
        let writing = DispatchGroup()
        let started = DispatchSemaphore(value: 0)
        let stop = LockedFlag()
        let appendError = LockedError()
        DispatchQueue.global().async(group: writing) {
            var number: UInt64 = 2_001
            do {
                while !stop.isSet {
                    try appendCustomer(ledger, number)
                    if number == 2_001 { started.signal() }
                    number += 1
                }
            } catch {
                appendError.set(error)
                started.signal()
            }
        }
        started.wait()
        let backup = try ledger.backup(to: folder.path + "/copy")
        stop.set()
        writing.wait()
        #expect(appendError.value == nil)

        let last = try ledger.lastPosition()
        #expect(backup.head.position >= 4_002)
        #expect(backup.head.position <= last)
        #expect(backup.head.position % 2 == 0)
        #expect(backup.head.hash == (try storedHash(ledger, at: backup.head.position)))
        let copy = try openLedger(at: backup.path, readOnly: true)
        #expect(try copy.head() == backup.head)
        let report = try copy.verify()
        #expect(report.findings.isEmpty)
        #expect(report.head == backup.head)
    }

    @Test func backupFilesArePrivate() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")
        try appendCustomer(ledger, 1)
        let previousMask = umask(0o022)
        defer { umask(previousMask) }

        let backup = try ledger.backup(to: folder.path + "/copy")

        #expect(backup.path == folder.path + "/copy")
        #expect(mode(backup.path) == 0o700)
        #expect(mode(backup.path + "/data.mdb") == 0o600)
        #expect(mode(backup.path + "/lock.mdb") == 0o600)
        #expect(backup.bytes > 0)
        #expect(backup.head == (try ledger.head()))
    }

    @Test func backupIntoEmptyFolder() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")
        try appendCustomer(ledger, 1)
        try FileManager.default.createDirectory(atPath: folder.path + "/empty", withIntermediateDirectories: false)

        let backup = try ledger.backup(to: folder.path + "/empty")

        #expect(backup.head == (try ledger.head()))
    }

    @Test func nonEmptyFolderRejected() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")
        try appendCustomer(ledger, 1)
        let destination = folder.path + "/full"
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: destination + "/notes.txt"))

        let error = #expect(throws: StorageError.self) { try ledger.backup(to: destination) }

        #expect(error?.description.contains("is not empty") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["notes.txt"])
    }

    @Test func fileDestinationRejected() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")
        let destination = folder.path + "/file"
        try Data().write(to: URL(fileURLWithPath: destination))

        let error = #expect(throws: StorageError.self) { try ledger.backup(to: destination) }

        #expect(error?.description.contains("is a file") == true)
    }

    @Test func missingParentLeavesNothing() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")

        let error = #expect(throws: StorageError.self) { try ledger.backup(to: folder.path + "/missing/copy") }

        #expect(error?.description.contains("create '\(folder.path)/missing' first") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/missing"))
    }

    /// The superuser writes to any folder, so the test runs only as another user.
    @Test(.enabled(if: geteuid() != 0)) func unwritableFolderLeavesNothing() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")
        let destination = folder.path + "/readonly"
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        chmod(destination, 0o500)
        defer { chmod(destination, 0o700) }

        let error = #expect(throws: StorageError.self) { try ledger.backup(to: destination) }

        #expect(error?.description.contains("cannot create") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination).isEmpty)
    }

    @Test func failedOpenOfCopyRemovesFiles() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/source")
        try appendCustomer(ledger, 1)
        let destination = folder.path + "/copy"
        // The copy's folder is already open in this process, so opening the copy fails.
        let blocker = try openLedger(at: destination)
        _ = blocker
        try FileManager.default.removeItem(atPath: destination + "/data.mdb")
        try FileManager.default.removeItem(atPath: destination + "/lock.mdb")

        #expect(throws: StorageError.self) { try ledger.backup(to: destination) }

        #expect(try FileManager.default.contentsOfDirectory(atPath: destination).isEmpty)
    }
}

/// An error set by one thread and read by another.
private final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    func set(_ error: any Error) {
        lock.lock()
        stored = error
        lock.unlock()
    }

    var value: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// A flag set by one thread and read by another.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    func set() {
        lock.lock()
        flag = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}
