import CSodium

/// The libsodium calls the ledger's encryption uses: XChaCha20-Poly1305 (IETF) for authenticated
/// encryption, BLAKE2b for keyed hashes, and the operating system's random source.
enum Sodium {
    static let nonceByteCount = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    static let tagByteCount = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
    /// The bytes that sealing adds to a plaintext: the random nonce in front and the tag behind.
    static let overhead = nonceByteCount + tagByteCount

    private static let isReady = sodium_init() >= 0

    /// Initializes libsodium; a library that cannot run is a broken installation.
    static func prepare() {
        precondition(isReady, "libsodium failed to initialize (sodium_init returned -1)")
    }

    /// Returns `count` bytes from the operating system's random source.
    static func randomBytes(_ count: Int) -> [UInt8] {
        prepare()
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return bytes
    }

    /// Returns BLAKE2b-256 of `message` keyed with `key`.
    static func keyedHash(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        prepare()
        var output = [UInt8](repeating: 0, count: 32)
        let code = crypto_generichash(&output, 32, message, UInt64(message.count), key, key.count)
        precondition(code == 0, "crypto_generichash failed")
        return output
    }

    /// Encrypts `plaintext` under `key` with a fresh random nonce and appends nonce, ciphertext
    /// and tag to `output`. `associated` is authenticated but not stored.
    static func seal(
        _ plaintext: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, associated: [UInt8], into output: inout [UInt8]
    ) {
        prepare()
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: nonceByteCount + plaintext.count + tagByteCount))
        output.withUnsafeMutableBufferPointer { buffer in
            let nonce = buffer.baseAddress! + start
            randombytes_buf(nonce, nonceByteCount)
            var written: UInt64 = 0
            let code = crypto_aead_xchacha20poly1305_ietf_encrypt(
                nonce + nonceByteCount, &written,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associated, UInt64(associated.count), nil, nonce,
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            precondition(code == 0 && written == UInt64(plaintext.count + tagByteCount), "XChaCha20-Poly1305 encryption failed")
        }
    }

    /// Decrypts what ``seal(_:key:associated:into:)`` wrote, or returns nil when the bytes are too
    /// short or fail authentication under `key` and `associated`.
    static func open(_ sealed: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, associated: [UInt8]) -> [UInt8]? {
        prepare()
        guard sealed.count >= overhead else { return nil }
        var plaintext = [UInt8](repeating: 0, count: sealed.count - overhead)
        let base = sealed.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written: UInt64 = 0
        let code = plaintext.withUnsafeMutableBufferPointer { output in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                output.baseAddress, &written, nil, base + nonceByteCount, UInt64(sealed.count - nonceByteCount),
                associated, UInt64(associated.count), base, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard code == 0 else { return nil }
        return plaintext
    }

    /// Overwrites `bytes` with zeros in a way the compiler keeps.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}
