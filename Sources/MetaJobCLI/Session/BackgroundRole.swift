import Foundation
import MetaJobRunner

/// How this process runs its meta job when it is the background copy another metajob started: `run --detach`'s
/// (lingers after the end) or a dashboard's (also on that dashboard's leash). Taken out of the environment, so
/// the jobs never see it.
struct BackgroundRole {
    /// Seconds the run stays attachable after it ends once no dashboard holds it.
    var linger: Double
    /// The leash of the dashboard that started this run; nil for `run --detach`.
    var leash: Leash?

    /// The role the starter passed in `variables` (removed from them), or nil for a run in the foreground.
    static func take(from variables: inout [String: String]) -> BackgroundRole? {
        let leashFd = variables.removeValue(forKey: DetachedLaunch.leashVariable).flatMap(Int32.init)
        guard let linger = variables.removeValue(forKey: DetachedLaunch.lingerVariable).flatMap(Double.init) else { return nil }
        return BackgroundRole(linger: max(0, linger), leash: leashFd.map { Leash(fd: $0) })
    }
}
