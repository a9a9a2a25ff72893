import Foundation
import MetaJobCore

/// The fields of a Control Service `DataJobExecution` the executor uses.
struct ExecutionInfo: Sendable {
    var id: String
    /// The API's status; the seven values are ours one to one.
    var status: String
    var startedBy: String?
    /// `start_time`, seconds since 1970, when it parses.
    var startTime: Double?
    var logsURL: String?
    var message: String?

    /// Our state for the API's status; nil for a status this version does not know (treated as still running).
    var state: JobState? {
        switch status {
        case "submitted": return .submitted
        case "running": return .running
        case "succeeded": return .succeeded
        case "cancelled": return .cancelled
        case "skipped": return .skipped
        case "user_error": return .userError
        case "platform_error": return .platformError
        default: return nil
        }
    }

    init?(_ object: [String: Any]) {
        guard let id = object["id"] as? String else { return nil }
        self.id = id
        status = object["status"] as? String ?? ""
        startedBy = object["started_by"] as? String
        startTime = (object["start_time"] as? String).flatMap(ExecutionInfo.parseDate)
        logsURL = (object["logs_url"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        message = (object["message"] as? String).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// One execution from a JSON body.
    static func decode(_ body: Data) -> ExecutionInfo? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return ExecutionInfo(object)
    }

    /// A list of executions from a JSON body (nil when it is not a list).
    static func decodeList(_ body: Data) -> [ExecutionInfo]? {
        guard let array = try? JSONSerialization.jsonObject(with: body) as? [Any] else { return nil }
        return array.compactMap { ($0 as? [String: Any]).flatMap(ExecutionInfo.init) }
    }

    /// RFC 3339 date-time, with or without fractional seconds.
    static func parseDate(_ text: String) -> Double? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date.timeIntervalSince1970 }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)?.timeIntervalSince1970
    }
}
