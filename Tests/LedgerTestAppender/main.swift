import CustomerLedger
import Foundation

// A second writer process for the concurrency tests, which a `ledger` command cannot play because
// no command takes an expected version. It reads a customer's version, prints it, waits until a
// start file exists, then appends one purchase expecting that version.
//
// Usage: ledger-test-appender DATABASE KEY_FILE CUSTOMER ORDER_ID START_FILE
// Exit status: 0 after the append, 75 on a version conflict, 1 on any other error.

@available(*, noasync)
func run() -> Int32 {
    let arguments = CommandLine.arguments
    guard arguments.count == 6, let number = UInt64(arguments[3]), let customerID = CustomerID(number) else {
        FileHandle.standardError.write(Data("usage: ledger-test-appender DATABASE KEY_FILE CUSTOMER ORDER_ID START_FILE\n".utf8))
        return 64
    }
    let (database, keyFile, orderID, startFile) = (arguments[1], arguments[2], arguments[4], arguments[5])
    do {
        let key = try MasterKey(contentsOfFile: keyFile)
        let ledger = try Ledger(path: database, options: .init(masterKey: key, actor: "appender-\(getpid())"))
        let version = try ledger.customer(customerID)?.version ?? 0
        // Unbuffered, so that the test reads this line while the process waits.
        FileHandle.standardOutput.write(Data("read version \(version)\n".utf8))

        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: startFile) {
            guard Date() < deadline else {
                FileHandle.standardError.write(Data("timed out waiting for '\(startFile)'\n".utf8))
                return 1
            }
            usleep(1_000)
        }

        let purchase = NewEvent(
            customerID: customerID, occurredAt: Timestamp(parsing: "2024-06-01T12:00:00Z")!,
            payload: .purchaseRecorded(PurchaseRecorded(orderID: orderID, amount: Money(minorUnits: 1_000, currency: .cny))))
        try ledger.append([purchase], expectedVersions: [customerID: version])
        FileHandle.standardOutput.write(Data("appended at version \(version + 1)\n".utf8))
        return 0
    } catch let error as LedgerError {
        if case .versionConflict = error {
            FileHandle.standardOutput.write(Data("conflict: \(error)\n".utf8))
            return 75
        }
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        return 1
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        return 1
    }
}

exit(run())
