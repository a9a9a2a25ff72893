/// Directions a DAG edge leaves a cell in; cells where edges meet combine them into one junction glyph.
enum EdgeMask {
    static let up: UInt8 = 1
    static let down: UInt8 = 2
    static let left: UInt8 = 4
    static let right: UInt8 = 8
    /// The last cell before a target job: drawn as an arrow head.
    static let arrow: UInt8 = 16
}
