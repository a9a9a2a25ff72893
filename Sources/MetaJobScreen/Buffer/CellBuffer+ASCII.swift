extension CellBuffer {
    /// Turns every non-ASCII character into `?`: in ASCII mode the terminal cannot show them (a job's `é`
    /// included), and a character it cannot show may take a different width.
    mutating func replaceNonASCII() {
        for y in 0..<height {
            for x in 0..<width where !self[x, y].character.isASCII { self[x, y].character = "?" }
        }
    }
}
