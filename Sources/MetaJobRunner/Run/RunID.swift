#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Run ids that sort by time and are short enough to type: `20261124-153012-a3f9` (UTC).
public enum RunID {
    /// A new id for a run starting at `wallTime` (seconds since 1970).
    public static func make(at wallTime: Double, suffix: UInt16 = UInt16.random(in: 0...UInt16.max)) -> String {
        var t = time_t(wallTime)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        let hex = String(suffix, radix: 16)
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "-"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "-"
            + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
