import CSodium
import Foundation

/// The secret that wraps every customer's data key: 32 random bytes that the embedding app
/// passes in, or that the CLI reads from a key file.
///
/// A ledger created with a master key stores a check value derived from it, so that opening the
/// ledger with another key fails before anything is read or written. The key itself is never
/// stored in the ledger, printed or put in an error message; ``fingerprint`` names it instead.
public struct MasterKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let byteCount = 32
    /// The largest key file read, in bytes.
    static let maximumFileSize = 4096
    /// The first line of a key file.
    static let fileHeader = "# customer-ledger master key; keep this file secret (mode 0600)"

    let bytes: [UInt8]

    /// Wraps 32 bytes of key material.
    ///
    /// - throws: ``PrivacyError/invalidKey(_:)`` when `bytes` is not 32 bytes long or all zeros.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.byteCount else {
            throw PrivacyError.invalidKey("a master key is 32 bytes long, not \(bytes.count)")
        }
        guard bytes.contains(where: { $0 != 0 }) else {
            throw PrivacyError.invalidKey("the master key is all zeros; create a key with 'ledger keygen FILE'")
        }
        self.bytes = bytes
    }

    /// Returns a new key from the operating system's random source.
    public static func generate() -> MasterKey {
        let bytes = Sodium.randomBytes(byteCount)
        // A zero key is refused; the chance of drawing one is 2^-256.
        return try! MasterKey(bytes: bytes)
    }

    /// The fingerprint, so that printing a key, in a log line or a debugger, never shows its bytes.
    public var description: String { "MasterKey(fingerprint: \(fingerprint))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["fingerprint": fingerprint], displayStyle: .struct) }

    /// A short public name of the key: 16 hex digits of a keyed BLAKE2b hash of a fixed text,
    /// from which the key cannot be recovered. Messages show it to tell keys apart.
    public var fingerprint: String {
        Hex.string(Array(checkValue.prefix(8)))
    }

    /// The 32-byte value a ledger stores to recognize its key: BLAKE2b-256 keyed with the master
    /// key over the text `customer-ledger master key check`.
    var checkValue: [UInt8] {
        Sodium.keyedHash(Array("customer-ledger master key check".utf8), key: bytes)
    }

    /// Reads a key file that ``write(toFile:)`` created.
    ///
    /// The file must be a regular file that neither group nor others can read or write, holding
    /// the header comment line and one line of 64 hex digits. Errors name the file, never its contents.
    public init(contentsOfFile path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            var link = stat()
            let dangling = code == ENOENT && lstat(path, &link) == 0
            let hint =
                dangling
                ? "; it is a symbolic link to a missing file, so point it at the key file"
                : code == ENOENT ? "; create one with 'ledger keygen \(path)'" : ""
            throw PrivacyError.keyFile(path: path, "cannot read it: \(String(cString: strerror(code)))\(hint)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw PrivacyError.keyFile(path: path, "it is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw PrivacyError.keyFile(
                path: path,
                "it has mode \(String(permissions, radix: 8)), so group or others can access it; run 'chmod 600 \(path)'. "
                    + "If anyone else may have read the key, treat the personal data it protects as exposed, because a ledger's master key cannot be changed")
        }
        // A key file is about 130 bytes; a large file is not one, and is not read into memory.
        guard info.st_size <= Self.maximumFileSize else {
            throw PrivacyError.keyFile(
                path: path, "it is \(info.st_size) bytes long, so it is not a ledger key file; create one with 'ledger keygen FILE'")
        }
        let data = try Self.readKeyFile(path, checked: info)
        let text = String(decoding: data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...], as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1, let bytes = Hex.bytes(lines[0]), bytes.count == Self.byteCount else {
            throw PrivacyError.keyFile(
                path: path, "it is not a ledger key file: expected one line of 64 hex digits; create one with 'ledger keygen FILE'")
        }
        do {
            try self.init(bytes: bytes)
        } catch PrivacyError.invalidKey(let reason) {
            throw PrivacyError.keyFile(path: path, reason)
        }
    }

    /// Returns the bytes of the key file at `path`, which must still be the file that `checked`
    /// describes, so that a file swapped in after the checks is not read.
    ///
    /// It reads through one descriptor with `read(2)`, because `FileManager.contents(atPath:)`
    /// of Swift 6.3.1 on Linux leaks a 4,096-byte buffer when it reads an empty file, as the
    /// leak check of AddressSanitizer reports.
    private static func readKeyFile(_ path: String, checked: stat) throws -> [UInt8] {
        // O_NONBLOCK keeps a FIFO swapped in after the checks from blocking the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw PrivacyError.keyFile(path: path, "cannot read it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            throw PrivacyError.keyFile(path: path, "cannot read it: \(String(cString: strerror(errno)))")
        }
        guard opened.st_dev == checked.st_dev, opened.st_ino == checked.st_ino else {
            throw PrivacyError.keyFile(path: path, "it was replaced while it was read; try again")
        }
        var bytes: [UInt8] = []
        // One byte more than a key file may have, so that a file that grew is noticed.
        var chunk = [UInt8](repeating: 0, count: maximumFileSize + 1)
        while bytes.count <= maximumFileSize {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw PrivacyError.keyFile(path: path, "cannot read it: \(String(cString: strerror(errno)))")
            }
            bytes += chunk[..<count]
        }
        guard bytes.count <= maximumFileSize else {
            throw PrivacyError.keyFile(
                path: path, "it grew to more than \(maximumFileSize) bytes while it was read, so it is not a ledger key file")
        }
        return bytes
    }

    /// Writes the key to a new file with mode 0600. An existing file is never overwritten.
    ///
    /// - throws: ``PrivacyError/keyFile(path:_:)`` when the file exists or cannot be written; a
    ///   file this call created is removed again.
    public func write(toFile path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            let hint = code == EEXIST ? "; choose a new file name, so that no key is ever overwritten" : ""
            throw PrivacyError.keyFile(path: path, "cannot create it: \(String(cString: strerror(code)))\(hint)")
        }
        var completed = false
        defer {
            close(descriptor)
            if !completed { unlink(path) }
        }
        // The umask cannot widen 0600, but an explicit mode states the intent.
        fchmod(descriptor, 0o600)
        let text = Array((Self.fileHeader + "\n" + Hex.string(bytes) + "\n").utf8)
        let written = text.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(descriptor) == 0 else {
            throw PrivacyError.keyFile(path: path, "cannot write it: \(String(cString: strerror(errno)))")
        }
        completed = true
    }
}

/// Errors about keys, encryption and access to personal data.
public enum PrivacyError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidKey(String)
    case keyFile(path: String, String)
    /// The master key is not the one the ledger was created with.
    case wrongMasterKey(given: String, expected: String)
    /// The operation needs the master key, and the ledger was opened without one.
    case masterKeyRequired(String)
    /// The role may not run the operation.
    case roleNotAllowed(role: AccessRole, operation: String)
    /// The customer's personal data was erased.
    case customerErased(CustomerID)
    /// Stored ciphertext failed its authentication check.
    case tamperedCiphertext(String)

    /// The operation that ``masterKeyRequired(_:)`` names when a new ledger has no key.
    public static let creatingLedger = "creating a ledger"

    public var description: String {
        switch self {
        case .invalidKey(let reason): reason
        case .keyFile(let path, let reason): "key file '\(path)': \(reason)"
        case .wrongMasterKey(let given, let expected):
            "the master key \(given) does not match this ledger, which was created with key \(expected); pass the key file the ledger was created with"
        case .masterKeyRequired(let operation) where operation == Self.creatingLedger:
            "\(operation) needs a master key; pass one in Ledger.Options.masterKey (MasterKey.generate() makes one), or set Ledger.Options.encryptsPersonalData to false to keep personal data in clear"
        case .masterKeyRequired(let operation):
            "\(operation) needs the ledger's master key, and the ledger was opened without it; pass the key in Ledger.Options.masterKey"
        case .roleNotAllowed(let role, let operation):
            "\(operation) is not allowed for the \(role) role; open the ledger with a role that may do it"
        case .customerErased(let customer):
            "customer \(customer) was erased; their personal data no longer exists and no events can be added"
        case .tamperedCiphertext(let what):
            "\(what) fails its authentication check: the stored bytes were changed or belong elsewhere; run 'ledger verify' and restore from a backup"
        }
    }
}

/// Lowercase hexadecimal text, as fingerprints, hashes and exports write bytes.
public enum Hex {
    /// Returns two lowercase hex digits per byte.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses an even number of hex digits, either case, or returns nil.
    public static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
