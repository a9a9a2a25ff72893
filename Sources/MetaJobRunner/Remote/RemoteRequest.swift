import Foundation

/// One request to the Control Service as the state machine words it: method, encoded path, JSON body.
struct RemoteRequest: Sendable, Equatable {
    /// Names the answer: `RemoteInput.answered(ticket:)`.
    var ticket: Int
    var method: String
    /// Percent-encoded, from the API root, starting with `/`.
    var path: String
    var body: Data?
}
