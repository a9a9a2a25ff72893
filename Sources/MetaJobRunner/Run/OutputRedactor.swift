#if canImport(Glibc)
import Glibc
#endif
import MetaJobCore

/// Removes metajob's own secrets (the Control Service token in `VDK_API_TOKEN`) from what local jobs write.
///
/// Local jobs start from metajob's environment, so a job that prints its environment would otherwise put the
/// token into the terminal, the NDJSON stream and the history. Removing the variable from the jobs instead
/// would break VDK jobs that call the Control Service themselves; they keep it, their output loses it.
public struct OutputRedactor: Sendable {
    /// What a secret is replaced with.
    public static let replacement = Array("[redacted]".utf8)
    /// The environment variables holding secrets.
    public static let secretVariables = ["VDK_API_TOKEN"]
    private let secrets: [[UInt8]]

    /// The redactor for `environment`'s secrets; nil when there are none (output then passes untouched).
    public init?(environment: [String: String]) {
        // Very short values would match ordinary text; a real token is far longer.
        secrets = Self.secretVariables.compactMap { environment[$0] }.filter { $0.utf8.count >= 8 }.map { Array($0.utf8) }
        if secrets.isEmpty { return nil }
    }

    /// `lines` with every secret replaced; the same value when no line holds one (the common case: one
    /// `memmem` over the batch's bytes, no copy).
    public func redact(_ lines: LogLines) -> LogLines {
        guard secrets.contains(where: { Self.find($0, in: lines.bytes[...]) != nil }) else { return lines }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        bytes.reserveCapacity(lines.byteCount)
        for i in lines.indices {
            var line = lines[i]
            var changed: [UInt8]?
            for secret in secrets {
                var current = changed.map { $0[...] } ?? line
                var out: [UInt8] = []
                var found = false
                while let at = Self.find(secret, in: current) {
                    found = true
                    out += current[current.startIndex..<at]
                    out += Self.replacement
                    current = current[(at + secret.count)...]
                }
                if found {
                    out += current
                    changed = out
                }
            }
            if let changed { line = changed[...] }
            bytes += line
            ends.append(bytes.count)
        }
        return LogLines(bytes: bytes, ends: ends, unterminated: lines.unterminated)
    }

    /// Where `needle` starts in `haystack` (an index of `haystack`), if it occurs.
    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        // memchr for the first byte, memcmp for the rest (glibc's memmem is not exported to Swift).
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin -> Int? in
                let base = hay.baseAddress!
                var offset = 0
                let last = hay.count - pin.count
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(pin[0]), last - offset + 1) else { return nil }
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, pin.baseAddress!, pin.count) == 0 { return haystack.startIndex + at }
                    offset = at + 1
                }
                return nil
            }
        }
    }
}
