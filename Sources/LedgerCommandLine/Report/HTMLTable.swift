/// An HTML table with a caption, a header row and one row per entry, whose first cell heads the row.
struct HTMLTable {
    struct Column {
        let header: String
        /// True for figures, which align right.
        let isNumeric: Bool

        init(_ header: String, numeric: Bool = false) {
            self.header = header
            isNumeric = numeric
        }
    }

    let caption: String
    let columns: [Column]
    private var rows: [(key: String?, cells: [String], isTotal: Bool)] = []

    init(caption: String, columns: [Column]) {
        self.caption = caption
        self.columns = columns
    }

    /// Adds a row of cell texts, which are escaped. `key` becomes the row's `data-row`
    /// attribute, so that scripts that check a rendered report can find the row.
    mutating func addRow(_ cells: [String], key: String? = nil) {
        precondition(cells.count == columns.count, "a row needs \(columns.count) cells, got \(cells.count)")
        rows.append((key, cells, false))
    }

    /// Adds a closing row of totals, set apart in bold.
    mutating func addTotal(_ cells: [String]) {
        precondition(cells.count == columns.count, "a row needs \(columns.count) cells, got \(cells.count)")
        rows.append(("total", cells, true))
    }

    func render() -> String {
        var lines = ["<table>", "<caption>\(HTMLText.escape(caption))</caption>"]
        let headers = columns.map { column in
            "<th scope=\"col\"\(column.isNumeric ? " class=\"num\"" : "")>\(HTMLText.escape(column.header))</th>"
        }
        lines.append("<thead><tr>" + headers.joined() + "</tr></thead>")
        lines.append("<tbody>")
        for row in rows {
            var attributes = row.key.map { " data-row=\"\(HTMLText.escape($0))\"" } ?? ""
            if row.isTotal { attributes += " class=\"total\"" }
            var cells = ""
            for (index, cell) in row.cells.enumerated() {
                let text = HTMLText.escape(cell)
                if index == 0 {
                    cells += "<th scope=\"row\">\(text)</th>"
                } else {
                    cells += columns[index].isNumeric ? "<td class=\"num\">\(text)</td>" : "<td>\(text)</td>"
                }
            }
            lines.append("<tr\(attributes)>\(cells)</tr>")
        }
        lines += ["</tbody>", "</table>"]
        return lines.joined(separator: "\n")
    }
}
