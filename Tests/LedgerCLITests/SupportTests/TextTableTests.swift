import Testing
@testable import LedgerCommandLine

@Suite("TextTable")
struct TextTableTests {
    static func customerTable() -> TextTable {
        var table = TextTable(columns: [
            .init("NAME"),
            .init("CITY"),
            .init("ORDERS", alignment: .right),
            .init("SPENT", alignment: .right),
        ])
        table.addRow(["张伟", "上海市", "12", "1234.50"])
        table.addRow(["Alice Smith", "Boston", "3", "99.00"])
        table.addRow(["欧阳娜娜", "北京", "125", "10020.00"])
        table.addRow(["Bob", "", "0", "0.00"])
        return table
    }

    /// Returns each character of `line` keyed by the display column where it starts.
    static func charactersByStartColumn(_ line: String) -> [Int: Character] {
        var characters: [Int: Character] = [:]
        var column = 0
        for character in line {
            characters[column] = character
            column += DisplayWidth.of(character)
        }
        return characters
    }

    @Test func renderedMixedScriptTable() {
        let expected = [
            "NAME         CITY    ORDERS     SPENT",
            "-----------  ------  ------  --------",
            "张伟         上海市      12   1234.50",
            "Alice Smith  Boston       3     99.00",
            "欧阳娜娜     北京       125  10020.00",
            "Bob                       0      0.00",
        ].map { $0 + "\n" }.joined()

        #expect(Self.customerTable().render() == expected)
    }

    @Test func lastLeftAlignedColumnHasNoTrailingSpaces() {
        var table = TextTable(columns: [.init("ID", alignment: .right), .init("NAME")])
        table.addRow(["1", "张伟"])
        table.addRow(["22", "Bo"])
        #expect(table.render() == "ID  NAME\n--  ----\n 1  张伟\n22  Bo\n")
    }

    @Test func linesHaveEqualDisplayWidth() {
        let lines = Self.customerTable().render().split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        for line in lines {
            #expect(line.displayWidth == 37, "line: \(line)")
        }
    }

    @Test func columnsStartAtSameDisplayColumn() {
        // Column widths are 11, 6, 6 and 8, separated by two spaces.
        let columnStarts = [0, 13, 21, 29]
        let lines = Self.customerTable().render().split(separator: "\n").map(String.init)
        for line in lines {
            let characters = Self.charactersByStartColumn(line)
            for start in columnStarts {
                #expect(characters[start] != nil, "no character starts at column \(start) in: \(line)")
            }
            for start in columnStarts.dropFirst() {
                #expect(characters[start - 2] == " ", "no separator before column \(start) in: \(line)")
                #expect(characters[start - 1] == " ", "no separator before column \(start) in: \(line)")
            }
        }
    }

    @Test func leftAlignedCellsStartAtColumnStart() {
        let lines = Self.customerTable().render().split(separator: "\n").map(String.init)
        for line in lines.dropFirst(2) {
            let characters = Self.charactersByStartColumn(line)
            #expect(characters[0] != " ", "NAME not left-aligned in: \(line)")
        }
        let cityCells = lines.dropFirst(2).map { Self.charactersByStartColumn($0)[13] }
        #expect(cityCells == ["上", "B", "北", " "])
    }

    @Test func rightAlignedCellsEndAtColumnEnd() {
        // ORDERS ends at column 27 and SPENT at column 37, both exclusive.
        let lines = Self.customerTable().render().split(separator: "\n").map(String.init)
        for line in lines {
            let characters = Self.charactersByStartColumn(line)
            #expect(characters[26] != " ", "ORDERS not right-aligned in: \(line)")
            #expect(characters[36] != " ", "SPENT not right-aligned in: \(line)")
        }
    }

    @Test func maximumWidthTruncatesCells() {
        var table = TextTable(columns: [
            .init("ID"),
            .init("ADDRESS", maximumWidth: 7),
        ])
        table.addRow(["C1", "上海市浦东新区"])
        table.addRow(["C2", "Main St"])

        let expected = [
            "ID  ADDRESS",
            "--  -------",
            "C1  上海市…",
            "C2  Main St",
        ].map { $0 + "\n" }.joined()
        #expect(table.render() == expected)
    }

    @Test func maximumWidthTruncatesHeader() {
        var table = TextTable(columns: [.init("DESCRIPTION", maximumWidth: 4)])
        table.addRow(["ok"])
        #expect(table.render() == "DES…\n----\nok\n")
    }

    @Test func controlCharactersBecomeSpaces() {
        var table = TextTable(columns: [.init("NOTE")])
        table.addRow(["a\nb\tc"])
        #expect(table.render() == "NOTE\n-----\na b c\n")
    }

    @Test func tableWithoutRows() {
        let table = TextTable(columns: [.init("NAME"), .init("TOTAL", alignment: .right)])
        #expect(table.render() == "NAME  TOTAL\n----  -----\n")
    }

    @Test func outputEndsWithNewline() {
        #expect(Self.customerTable().render().hasSuffix("\n"))
    }
}
