extension LogLines: Codable {
    private enum CodingKeys: String, CodingKey {
        case bytes, ends, unterminated
    }

    /// The bytes as base64 (job output is any bytes, not text), the line ends and the unterminated lines.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Base64.encode(bytes), forKey: .bytes)
        try c.encode(ends, forKey: .ends)
        if !unterminated.isEmpty { try c.encode(unterminated, forKey: .unterminated) }
    }

    /// Checks what `init(bytes:ends:unterminated:)` would trap on, so a bad frame is an error, not a crash.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let bytes = Base64.decode(try c.decode(String.self, forKey: .bytes)) else {
            throw DecodingError.dataCorruptedError(forKey: .bytes, in: c, debugDescription: "bytes are not base64")
        }
        let ends = try c.decode([Int].self, forKey: .ends)
        let unterminated = try c.decodeIfPresent([Int].self, forKey: .unterminated) ?? []
        guard let lines = LogLines(checking: bytes, ends: ends, unterminated: unterminated) else {
            throw DecodingError.dataCorruptedError(forKey: .ends, in: c,
                                                   debugDescription: "line ends out of order or past the bytes, or an unterminated line out of range")
        }
        self = lines
    }

    /// Lines read from outside (a frame): nil where `init(bytes:ends:unterminated:)` would trap — ends out of
    /// order or past the bytes, an unterminated line out of range.
    init?(checking bytes: [UInt8], ends: [Int], unterminated: [Int]) {
        var previous = 0
        for end in ends {
            guard end >= previous, end <= bytes.count else { return nil }
            previous = end
        }
        guard unterminated.allSatisfy({ $0 >= 0 && $0 < ends.count }) else { return nil }
        self.init(bytes: bytes, ends: ends, unterminated: unterminated)
    }
}
