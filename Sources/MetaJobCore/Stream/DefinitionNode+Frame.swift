/// Typed reads of the JSON tree the frame readers (`EventFrameReader`, `SnapshotFrameReader`) walk; nil for any
/// other type, so an unusual frame goes to the `Codable` decoder instead.
extension DefinitionNode {
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
