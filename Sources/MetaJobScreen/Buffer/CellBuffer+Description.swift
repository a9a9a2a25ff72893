extension CellBuffer: CustomStringConvertible {
    /// The frame's text (what a failing test prints instead of every cell).
    public var description: String { "\(width)x\(height) frame:\n" + text }
}
