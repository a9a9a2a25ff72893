#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Formats times for printers: ISO-8601 UTC with milliseconds, clock times, durations.
public enum TimeFormat {
    /// `2026-11-24T15:30:12.345Z`.
    public static func iso8601(_ wall: Double) -> String {
        var seconds = wall.rounded(.down)
        var millis = Int((wall - seconds) * 1000 + 0.5)
        if millis >= 1000 { millis -= 1000; seconds += 1 }
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// `15:30:12` in local time.
    public static func clock(_ wall: Double) -> String {
        var t = time_t(wall)
        var parts = tm()
        localtime_r(&t, &parts)
        return "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
    }

    /// `0.42s`, `12.3s`, `4m05s`, `2h03m`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format2(seconds)) + "s" }
        if seconds < 60 { return String(Double(Int(seconds * 10)) / 10) + "s" }
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60)m\(pad(Int32(s % 60), 2))s" }
        return "\(s / 3600)h\(pad(Int32((s % 3600) / 60), 2))m"
    }

    private static func format2(_ v: Double) -> String {
        let hundredths = Int((v * 100).rounded())
        return "\(hundredths / 100).\(pad(Int32(hundredths % 100), 2))"
    }

    static func pad(_ v: Int32, _ n: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }
}
