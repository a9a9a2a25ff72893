import Foundation
import MetaJobCore

/// Turns the end of a `vdk run` into a job status, as the VDK DAG plugin's local executor does:
/// from the run summary file VDK writes if there is one, else from the exit code.
enum VDKRunSummary {
    // VDK's `ResolvableBy` values that put the failure on the user.
    private static let userBlamees: Set<String> = ["User Error", "Configuration error"]

    /// The outcome of a run that ended with `ended`, reading and then deleting the summary at `path`.
    static func outcome(summaryPath path: String, ended: AttemptOutcome) -> AttemptOutcome {
        let exitCode: Int32? = if case .exited(let code) = ended { code } else { nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            switch ended {
            case .exited(0):
                return .status(.succeeded, exitCode: 0, reason: nil)
            case .exited(let code):
                return .status(.platformError, exitCode: code, reason: "exit code \(code), no run summary")
            default:
                // Killed (maybe by our own terminate): the state machine knows whether that is a
                // cancellation, so the raw outcome goes through.
                return ended
            }
        }
        // The summary belongs to this attempt only; a retry must not read it.
        unlink(path)
        return outcome(summary: data, exitCode: exitCode)
    }

    /// The outcome described by the JSON `summary`.
    static func outcome(summary data: Data, exitCode: Int32?) -> AttemptOutcome {
        guard let object = try? JSONSerialization.jsonObject(with: data), let summary = object as? [String: Any] else {
            return .status(.platformError, exitCode: exitCode, reason: "unreadable run summary")
        }
        let status = summary["status"] as? String
        switch status {
        case "success":
            return .status(.succeeded, exitCode: exitCode, reason: nil)
        case "skip_requested":
            return .status(.skipped, exitCode: exitCode, reason: nil)
        default:
            let blamee = summary["blamee"] as? String
            let state: JobState = blamee.map { userBlamees.contains($0) } == true ? .userError : .platformError
            return .status(state, exitCode: exitCode, reason: reason(summary: summary, status: status, blamee: blamee))
        }
    }

    // "<status>, blamed on <blamee>: <exception>: <details>", with whatever parts the summary has.
    private static func reason(summary: [String: Any], status: String?, blamee: String?) -> String {
        var text = "run \(status ?? "without status")"
        if let blamee, !blamee.isEmpty { text += ", blamed on \(blamee)" }
        if let exception = summary["exception_name"] as? String, !exception.isEmpty { text += ": \(exception)" }
        if let details = summary["details"] as? String, !details.isEmpty { text += ": \(details)" }
        return text
    }
}
