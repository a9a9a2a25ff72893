/// A whole frame: a grid of cells that views render into and the terminal driver draws.
///
/// Tests read it back as text (`text`) and roles (`roles(row:)`); only the driver turns it into ncurses calls.
public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major: `cells[y * width + x]`.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at column `x`, row `y`; writes outside the buffer are ignored, reads give a blank.
    public subscript(x: Int, y: Int) -> Cell {
        get { x >= 0 && y >= 0 && x < width && y < height ? cells[y * width + x] : .blank }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from column `x` on row `y`, one character per cell, clipped at `maxWidth` and the edge.
    /// Returns the column after the last character written. The text must already be safe to draw.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(width, maxWidth.map { x + $0 } ?? width)
        var column = x
        for character in text {
            if column >= limit { break }
            if column >= 0 { cells[y * width + column] = Cell(character, role: role) }
            column += 1
        }
        return column
    }

    /// Fills a rectangle with `character` in `role` (clipped to the buffer).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ character: Character = " ", role: StyleRole = .normal) {
        let rows = max(0, y) ..< max(max(0, y), min(height, y + h))
        let columns = max(0, x) ..< max(max(0, x), min(width, x + w))
        for row in rows {
            for column in columns {
                cells[row * width + column] = Cell(character, role: role)
            }
        }
    }

    /// Sets the role of cells without changing their characters (selection bars, search hits).
    public mutating func setRole(_ role: StyleRole, x: Int, y: Int, width w: Int) {
        guard y >= 0, y < height else { return }
        for column in max(0, x) ..< max(max(0, x), min(width, x + w)) { cells[y * width + column].role = role }
    }

    /// Row `y` as text, trailing spaces kept.
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        return String(cells[(y * width) ..< (y * width + width)].map(\.character))
    }

    /// The roles of row `y`, one per column.
    public func roles(row y: Int) -> [StyleRole] {
        guard y >= 0, y < height else { return [] }
        return cells[(y * width) ..< (y * width + width)].map(\.role)
    }

    /// The whole frame as text, one line per row, trailing spaces trimmed: what tests compare.
    public var text: String {
        (0 ..< height).map { y -> String in
            var line = row(y)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
