/// The loyalty program versions of a ledger: the base program it was created with, then the
/// versions that program events recorded, each in force from its effective instant.
struct ProgramTimeline: Equatable, Sendable {
    /// The program in force before the first recorded version, and the only one of a ledger
    /// whose log has no program events.
    var base: LoyaltyProgram { baseBox.program }
    private let baseBox: ProgramBox
    /// Recorded versions in force, with their log positions, in log order. Effective instants
    /// increase. A version replaced before it took effect is not among them.
    private(set) var versions: [(position: UInt64, version: ProgramVersion)] = []
    /// The programs of ``versions``, boxed.
    private var boxes: [ProgramBox] = []
    /// The version of the ledger's own stream: the number of program events.
    var streamVersion: UInt32 = 0

    init(base: LoyaltyProgram) {
        baseBox = ProgramBox(base)
    }

    /// Returns the program in force at `instant` in a box, which folds pass on without copying
    /// the program's fields.
    func box(at instant: Timestamp) -> ProgramBox {
        guard let last = versions.last else { return baseBox }
        if last.version.effectiveFrom <= instant { return boxes[boxes.count - 1] }
        var index = versions.count - 1
        while index >= 0 {
            if versions[index].version.effectiveFrom <= instant { return boxes[index] }
            index -= 1
        }
        return baseBox
    }

    static func == (lhs: ProgramTimeline, rhs: ProgramTimeline) -> Bool {
        lhs.base == rhs.base && lhs.streamVersion == rhs.streamVersion
            && lhs.versions.elementsEqual(rhs.versions) { $0.position == $1.position && $0.version == $1.version }
    }

    /// Returns the program in force at `instant`: the newest version effective at or before it.
    func program(at instant: Timestamp) -> LoyaltyProgram { box(at: instant).program }

    /// The newest program, which applies to events from its effective instant on.
    var latest: LoyaltyProgram { versions.last?.version.program ?? base }

    /// The position of the newest program event, or 0 when there is none.
    var lastPosition: UInt64 { versions.last?.position ?? 0 }

    /// Adds a version. It replaces the versions that would take effect at or after its own
    /// instant: appends allow this only while no customer event has occurred since then, so those
    /// versions never applied to any event.
    mutating func add(_ version: ProgramVersion, position: UInt64) {
        while let last = versions.last, last.version.effectiveFrom >= version.effectiveFrom {
            versions.removeLast()
            boxes.removeLast()
        }
        versions.append((position, version))
        boxes.append(ProgramBox(version.program))
    }

    /// True when some version earns by SKU or category, so that folds need purchases' line items.
    var needsLineItems: Bool {
        !base.skuMultipliers.isEmpty || !base.categoryMultipliers.isEmpty
            || versions.contains { !$0.version.program.skuMultipliers.isEmpty || !$0.version.program.categoryMultipliers.isEmpty }
    }

    /// Encodes the recorded versions for the meta table. The base program is stored on its own.
    func encodeVersions() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(1)
        writer.write(varint: UInt64(streamVersion))
        writer.write(varint: UInt64(versions.count))
        for (position, version) in versions {
            writer.write(varint: position)
            writer.write(signed: version.effectiveFrom.microseconds)
            writer.write(lengthPrefixed: version.program.encode())
        }
        return writer.bytes
    }

    mutating func decodeVersions(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) {
        var reader = ByteReader(buffer)
        guard try reader.readByte() == 1 else { throw .malformed("unknown program versions format", at: 0) }
        let stream = try reader.readVarint()
        guard stream <= UInt64(UInt32.max) else { throw .malformed("stream version too large", at: reader.offset) }
        streamVersion = UInt32(stream)
        let count = try reader.readVarint()
        guard count <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        versions = []
        boxes = []
        for _ in 0..<count {
            let position = try reader.readVarint()
            let effectiveFrom = Timestamp(microseconds: try reader.readSigned())
            let program = try LoyaltyProgram.decode(try reader.slice(try reader.readLength()))
            add(ProgramVersion(effectiveFrom: effectiveFrom, program: program), position: position)
        }
        guard reader.isAtEnd else { throw .malformed("trailing bytes after the program versions", at: reader.offset) }
    }
}

/// A loyalty program behind a reference. Folds take the program from its constant property,
/// so that passing it on copies none of the program's arrays, dictionaries and strings.
final class ProgramBox: Sendable {
    let program: LoyaltyProgram

    init(_ program: LoyaltyProgram) {
        self.program = program
    }
}
