import Foundation
import MetaJobRunner

/// The commands a control server reported, gathered from its thread.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [ControlRequest] = []

    func add(_ request: ControlRequest) { lock.lock(); requests.append(request); lock.unlock() }
    var all: [ControlRequest] { lock.lock(); defer { lock.unlock() }; return requests }
}
