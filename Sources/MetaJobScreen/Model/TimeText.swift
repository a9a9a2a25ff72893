/// Durations and wall-clock times as the dashboard prints them (UTC, so frames do not depend on the host).
enum TimeText {
    /// `7s`, `1m05s`, `2h03m`, `3d04h`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(min(max(0, seconds), 1e12).rounded(.down))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + two(s % 60) + "s" }
        if s < 86400 { return "\(s / 3600)h" + two((s / 60) % 60) + "m" }
        return "\(s / 86400)d" + two((s / 3600) % 24) + "h"
    }

    /// `1.50s`, `12.00s` under a minute (attempts side by side differ by less than a second), else as `duration`.
    static func preciseDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 59.995 else { return duration(seconds) }
        let centis = Int((max(0, seconds) * 100).rounded())
        return "\(centis / 100)." + two(centis % 100) + "s"
    }

    /// `15:30:12` (UTC).
    static func clock(_ epoch: Double) -> String {
        guard epoch.isFinite, abs(epoch) < 1e12 else { return "??:??:??" }
        let s = Int(epoch.rounded(.down))
        let day = ((s % 86400) + 86400) % 86400
        return two(day / 3600) + ":" + two((day / 60) % 60) + ":" + two(day % 60)
    }

    /// `2026-11-24 15:30` (UTC).
    static func date(_ epoch: Double) -> String {
        guard epoch.isFinite, abs(epoch) < 1e12 else { return "????-??-?? ??:??" }
        let s = Int(epoch.rounded(.down))
        let days = Int((Double(s) / 86400).rounded(.down))
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let clockText = clock(epoch)
        return "\(y)-" + two(m) + "-" + two(d) + " " + String(clockText.prefix(5))
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
