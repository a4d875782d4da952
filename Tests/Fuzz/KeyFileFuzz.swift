// libFuzzer target `key-file`: `MasterKey(contentsOfFile:)` on a file with the input as its
// contents and mode 0600. scripts/fuzz compiles this file into the CustomerLedger module.
//
// The file lives in a folder /tmp/fuzz-key-file-PID that the first input creates. A key that
// reads must write back to a file that reads as the same key.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func keyFileFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    KeyFileFuzz.check(Data(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum KeyFileFuzz {
    static let folder: String = {
        let path = "/tmp/fuzz-key-file-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()

    static func check(_ contents: Data) {
        let path = folder + "/input.key"
        unlink(path)
        guard FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0o600]) else {
            fatalError("cannot write \(path)")
        }
        let key: MasterKey
        do {
            key = try MasterKey(contentsOfFile: path)
        } catch let error as PrivacyError {
            guard case .keyFile = error else { fatalError("fuzz oracle: a key file error of another kind: \(error)") }
            _ = error.description
            return
        } catch {
            fatalError("fuzz oracle: MasterKey(contentsOfFile:) threw an error other than PrivacyError: \(error)")
        }

        let copy = folder + "/written.key"
        unlink(copy)
        do {
            try key.write(toFile: copy)
            let again = try MasterKey(contentsOfFile: copy)
            guard again.bytes == key.bytes else { fatalError("fuzz oracle: a key changes when written and read again") }
        } catch {
            fatalError("fuzz oracle: a key that reads cannot be written and read again: \(error)")
        }
    }
}
