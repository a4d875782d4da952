import CustomerLedger
import Foundation

/// A rejected export file: the line, the JSON path of the field at fault, and what is wrong.
struct EventJSONLinesError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line of the file.
    let line: Int
    /// The JSON path, such as `payload.amount.minor_units`, or nil for the line as a whole.
    let field: String?
    let message: String

    var description: String { "line \(line)" + (field.map { ", field \($0)" } ?? "") + ": " + message }
}

/// An export file as read: its header and events, with the line of each event.
struct EventJSONLinesDocument {
    let header: ExportHeader
    let events: [ExportedEvent]
    /// The file line of each event, in the order of `events`.
    let lines: [Int]
}

extension EventJSONLines {
    /// Reads a whole export file. It checks the format: one JSON object per line, every key
    /// present and no other, each value of its type and range. The ledger checks the rest
    /// when it imports the events.
    ///
    /// Lines end with LF or CRLF, the last one may lack its line end, and a UTF-8 byte order mark
    /// at the start is skipped. Blank lines are rejected.
    static func read(_ bytes: [UInt8]) throws(EventJSONLinesError) -> EventJSONLinesDocument {
        var lines = lineRanges(bytes)
        guard let first = lines.first else {
            throw EventJSONLinesError(
                line: 1, field: nil,
                message: "the file is empty; expected a header line and one event per line, as 'ledger export' writes them")
        }
        lines.removeFirst()
        let header = try readHeader(try parseLine(bytes, first.range, number: first.number), line: first.number)

        var events: [ExportedEvent] = []
        var eventLines: [Int] = []
        events.reserveCapacity(lines.count)
        eventLines.reserveCapacity(lines.count)
        for line in lines {
            let root = try parseLine(bytes, line.range, number: line.number)
            events.append(try readEvent(root, line: line.number))
            eventLines.append(line.number)
        }
        // A file whose positions run without a gap but stop early is truncated. A gap inside is
        // left to the import, which names the line where the positions break.
        let consecutive = events.enumerated().allSatisfy { $0.element.event.position == header.fromPosition &+ UInt64($0.offset) }
        if header.customer == nil, consecutive, header.fromPosition <= header.throughPosition &+ 1 {
            let expected = header.throughPosition &+ 1 - header.fromPosition
            if UInt64(events.count) < expected {
                let lastLine = eventLines.last ?? first.number
                throw EventJSONLinesError(
                    line: lastLine, field: nil,
                    message: "the file ends after this line with \(events.count) events, but its header covers positions \(header.fromPosition) to \(header.throughPosition), \(expected) events; the file is truncated")
            }
        }
        return EventJSONLinesDocument(header: header, events: events, lines: eventLines)
    }

    /// Returns the number and byte range of each line, without its line end, after a byte order mark.
    private static func lineRanges(_ bytes: [UInt8]) -> [(number: Int, range: Range<Int>)] {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var result: [(number: Int, range: Range<Int>)] = []
        bytes.withUnsafeBufferPointer { buffer in
            while start < buffer.count {
                let found = memchr(buffer.baseAddress! + start, 0x0A, buffer.count - start)
                let lineFeed = found.map { UnsafeRawPointer(buffer.baseAddress!).distance(to: UnsafeRawPointer($0)) }
                var end = lineFeed ?? buffer.count
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                result.append((result.count + 1, start..<end))
                start = (lineFeed ?? buffer.count) + 1
            }
        }
        return result
    }

    /// Checks that a line is valid UTF-8 and one JSON value, and returns the value.
    private static func parseLine(_ bytes: [UInt8], _ range: Range<Int>, number: Int) throws(EventJSONLinesError)
        -> ParsedJSON
    {
        guard !range.isEmpty else {
            throw EventJSONLinesError(line: number, field: nil, message: "the line is blank; every line contains one JSON object")
        }
        let line = Array(bytes[range])
        if String(validating: line, as: UTF8.self) == nil {
            let offset = invalidUTF8Offset(line)
            throw EventJSONLinesError(
                line: number, field: nil,
                message: "invalid UTF-8: byte \(offset + 1) of the line is 0x\(hex([line[offset]]))"
                    + "; the file must be UTF-8, as 'ledger export' writes it")
        }
        do {
            return try JSONParser.parse(line)
        } catch {
            throw EventJSONLinesError(
                line: number, field: nil,
                message: "invalid JSON at column \(error.column): \(error.reason); a line cut short or joined with another shows this")
        }
    }

    /// Returns the offset of the first byte that starts no valid UTF-8 sequence in `bytes`.
    private static func invalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let length: Int
            switch bytes[offset] {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return offset
            }
            guard offset + length <= bytes.count, String(validating: bytes[offset..<offset + length], as: UTF8.self) != nil
            else { return offset }
            offset += length
        }
        return max(0, bytes.count - 1)
    }

    // MARK: Header and events

    private static func readHeader(_ root: ParsedJSON, line: Int) throws(EventJSONLinesError) -> ExportHeader {
        do throws(ProgramDocumentError) {
            let object = try DocumentField(value: root, path: "").object(keys: headerKeys)
            let format = try object.required("format")
            guard try format.string(expected: "\"\(formatName)\"") == formatName else {
                throw format.error("\(ProgramDocument.describe(format.value)) is not \"\(formatName)\"; this is not a file of 'ledger export'")
            }
            let version = try object.required("format_version")
            guard readableFormatVersions.contains(try version.nonNegativeInteger()) else {
                throw version.error(
                    "\(ProgramDocument.describe(version.value)) is not a format version this ledger reads; it reads versions \(readableFormatVersions.lowerBound) to \(readableFormatVersions.upperBound)")
            }
            var masterKey: String?
            if let field = object["master_key"], !field.isNull {
                let text = try field.string(expected: "16 hex digits or null")
                guard text.count == 16, isLowercaseHex(text) else { throw field.error("expected 16 lowercase hex digits or null") }
                masterKey = text
            }
            let customerField = try object.required("customer_id")
            let customer = customerField.isNull ? nil : try customerField.customerID()
            return ExportHeader(
                baseProgram: try ProgramDocument.parse(try object.required("base_program").value, path: "base_program"),
                fromPosition: try object.required("from_position").unsigned(in: 1...UInt64.max),
                throughPosition: try object.required("through_position").unsigned(),
                previousHash: try object.required("previous_hash").chainHash(),
                customer: customer, masterKeyFingerprint: masterKey)
        } catch {
            throw EventJSONLinesError(line: line, error)
        }
    }

    private static func readEvent(_ root: ParsedJSON, line: Int) throws(EventJSONLinesError) -> ExportedEvent {
        do throws(ProgramDocumentError) {
            let object = try DocumentField(value: root, path: "").object(keys: eventKeys)
            let position = try object.required("position").unsigned(in: 1...UInt64.max)
            let hash = try object.required("hash").chainHash()
            let id = try object.required("event_id").uuid()
            let customerValue = try object.required("customer_id").unsigned()
            let version = try object.required("version").unsigned(in: 1...UInt64(UInt32.max))
            let typeField = try object.required("type")
            let typeCode = try typeField.typeCode()
            let schemaVersion = try object.required("schema_version").unsigned(in: 0...UInt64(UInt8.max))
            let occurredAt = try object.required("occurred_at").timestamp()
            let recordedAt = try object.required("recorded_at").timestamp()
            var metadata = EventMetadata()
            metadata.actor = try object.required("actor").string(expected: "a string, empty for none")
            metadata.source = try object.required("source").string(expected: "a string, empty for none")
            metadata.correlationID = try object.required("correlation_id").optionalUUID()
            metadata.causationID = try object.required("causation_id").optionalUUID()
            let payload = try readPayload(
                try object.required("payload"), typeCode: typeCode, schemaVersion: UInt8(schemaVersion))

            let customerID: CustomerID
            if customerValue == 0 {
                guard EventType(rawValue: typeCode)?.isLedgerEvent == true else {
                    throw try object.required("customer_id").error(
                        "0 is the ledger's own stream, which contains only ProgramDefined and ProgramChanged events")
                }
                customerID = .ledgerStream
            } else {
                customerID = CustomerID(customerValue)!
            }
            let event = RecordedEvent(
                position: position, eventID: id, customerID: customerID, version: UInt32(version),
                schemaVersion: UInt8(schemaVersion), occurredAt: occurredAt, recordedAt: recordedAt, metadata: metadata,
                payload: payload)
            var exported = ExportedEvent(event: event, chainHash: hash)
            if let sealed = object["sealed"], !sealed.isNull {
                let parts = try sealed.object(keys: ["public_hex", "personal_hex"])
                exported.sealedPayload = UnrecognizedPayload(
                    typeCode: typeCode, schemaVersion: UInt8(schemaVersion),
                    publicBytes: try parts.required("public_hex").hexBytes(),
                    personalBytes: try parts.required("personal_hex").withholdingValue().hexBytes())
            }
            if let key = object["data_key"], !key.isNull { exported.wrappedDataKey = try key.hexBytes() }
            return exported
        } catch {
            throw EventJSONLinesError(line: line, error)
        }
    }

    /// Reads the payload of the type and schema version: the fields of a payload that this
    /// version decodes, else the stored bytes in hex. Errors never show the personal bytes,
    /// which a ledger without encryption stores in clear.
    private static func readPayload(
        _ field: DocumentField, typeCode: UInt16, schemaVersion: UInt8
    ) throws(ProgramDocumentError) -> EventPayload {
        guard let type = EventType(rawValue: typeCode), type.reads(schemaVersion: schemaVersion) else {
            let object = try field.object(keys: ["public_hex", "personal_hex"])
            return .unrecognized(
                UnrecognizedPayload(
                    typeCode: typeCode, schemaVersion: schemaVersion,
                    publicBytes: try object.required("public_hex").hexBytes(),
                    personalBytes: try object.required("personal_hex").withholdingValue().hexBytes()))
        }
        return try EventPayloadJSON.read(field, type: type)
    }
}

extension EventJSONLinesError {
    /// Places a format error of one line's JSON at `line`.
    init(line: Int, _ error: ProgramDocumentError) {
        self.init(line: line, field: error.path.isEmpty ? nil : error.path, message: error.reason)
    }
}

extension EventJSONLines {
    /// Returns true when `text` consists of lowercase hex digits only.
    static func isLowercaseHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
