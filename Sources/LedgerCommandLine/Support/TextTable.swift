/// A plain-text table for terminal output: a header line, an underline of `-` under each
/// column, then one line per row.
///
/// Columns are separated by two spaces, and every cell is padded to its column's width except
/// in a left-aligned last column, so that lines carry no trailing spaces. Widths are measured in terminal columns with
/// `DisplayWidth`, so a column of Chinese names lines up with a column of ASCII names.
///
///     var table = TextTable(columns: [
///         .init("NAME"),
///         .init("ORDERS", alignment: .right),
///     ])
///     table.addRow(["张伟", "12"])
///     print(table.render(), terminator: "")
struct TextTable: Sendable {
    /// Header, alignment and optional maximum width of one column.
    struct Column: Sendable, Equatable {
        var header: String
        var alignment: TextAlignment
        /// Maximum width in terminal columns. Longer cells, and a longer header, are truncated
        /// with "…". `nil` means no limit.
        var maximumWidth: Int?

        init(_ header: String, alignment: TextAlignment = .left, maximumWidth: Int? = nil) {
            precondition(maximumWidth.map { $0 >= 1 } ?? true, "maximumWidth must be at least 1")
            self.header = header
            self.alignment = alignment
            self.maximumWidth = maximumWidth
        }
    }

    private(set) var columns: [Column]
    private(set) var rows: [[String]] = []

    init(columns: [Column]) {
        self.columns = columns
    }

    /// Appends a row. `cells` must have exactly one string per column.
    mutating func addRow(_ cells: [String]) {
        precondition(
            cells.count == columns.count,
            "row has \(cells.count) cells but the table has \(columns.count) columns"
        )
        rows.append(cells)
    }

    /// Renders the header, the underline and all rows, each line ending in "\n".
    ///
    /// Control characters in cells, such as line breaks and tabs, are replaced with spaces so
    /// that each row stays on one line.
    func render() -> String {
        let headerCells = columns.indices.map { fittedCell(columns[$0].header, column: $0) }
        let bodyCells = rows.map { row in
            row.indices.map { fittedCell(row[$0], column: $0) }
        }

        var widths = headerCells.map(\.displayWidth)
        for row in bodyCells {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], cell.displayWidth)
            }
        }

        var output = ""
        appendLine(headerCells, widths: widths, to: &output)
        appendLine(widths.map { String(repeating: "-", count: $0) }, widths: widths, to: &output)
        for row in bodyCells {
            appendLine(row, widths: widths, to: &output)
        }
        return output
    }

    /// Returns the cell with control characters replaced and truncated to the column's
    /// maximum width.
    private func fittedCell(_ text: String, column: Int) -> String {
        var cell = text
        if cell.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            cell = String(cell.map { character in
                character.unicodeScalars.contains { $0.properties.generalCategory == .control }
                    ? " " : character
            })
        }
        if let maximumWidth = columns[column].maximumWidth {
            cell = cell.truncated(toDisplayWidth: maximumWidth)
        }
        return cell
    }

    private func appendLine(_ cells: [String], widths: [Int], to output: inout String) {
        for (index, cell) in cells.enumerated() {
            if index > 0 {
                output += "  "
            }
            let isLast = index == cells.count - 1
            if isLast && columns[index].alignment == .left {
                // No trailing spaces after the last column.
                output += cell
            } else {
                output += cell.padded(toDisplayWidth: widths[index], alignment: columns[index].alignment)
            }
        }
        output += "\n"
    }
}
