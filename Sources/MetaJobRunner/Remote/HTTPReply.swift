import Foundation

/// One answer of the Control Service (or the authorization server): status, headers, body.
struct HTTPReply: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data

    /// The `Location` header's last path segment: the id of an execution just started.
    var locationId: String? {
        guard let location = headers["location"] else { return nil }
        let path = location.split(separator: "?", maxSplits: 1).first.map(String.init) ?? location
        guard let last = path.split(separator: "/").last, !last.isEmpty else { return nil }
        return String(last).removingPercentEncoding ?? String(last)
    }
}
