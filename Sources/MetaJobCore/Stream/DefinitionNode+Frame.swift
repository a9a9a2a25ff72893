/// Typed reads of the JSON tree the frame readers (`EventFrameReader`, `SnapshotFrameReader`) walk; nil for any
/// other type, so an unusual frame goes to the `Codable` decoder instead.
extension DefinitionNode {
    /// The JSON tree of a frame `line` that starts with `prefix`; nil for any other frame (a cheap test first, so
    /// those go to the decoder untouched), for a line that is not valid UTF-8 (which the reader expects, as the
    /// definition loader guarantees for it) or not JSON.
    static func frame(_ line: [UInt8], startingWith prefix: [UInt8]) -> DefinitionNode? {
        guard line.count > prefix.count, line.starts(with: prefix) else { return nil }
        guard String(validating: line, as: UTF8.self) != nil else { return nil }
        return line.withUnsafeBufferPointer { try? JSONDefinitionReader.read($0) }
    }

    /// The value of `key` in a mapping (the last one, as JSONDecoder takes duplicates).
    subscript(key: String) -> DefinitionNode? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.last { $0.key.string == key }?.value
    }

    var int: Int? {
        if case .integer(let value?) = content { return Int(exactly: value) }
        return nil
    }

    var uint64: UInt64? {
        if case .integer(let value?) = content, value >= 0 { return UInt64(value) }
        return nil
    }

    var double: Double? {
        switch content {
        case .float(let value): return value
        case .integer(let value?): return Double(value)
        default: return nil
        }
    }

    var boolValue: Bool? {
        if case .bool(let value) = content { return value }
        return nil
    }

    var ints: [Int]? {
        guard case .sequence(let items) = content else { return nil }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let value = item.int else { return nil }
            out.append(value)
        }
        return out
    }
}
