import Foundation

/// What the hostile clients of `ControlServerTests` saw, gathered from their threads.
final class HostileResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]
    private var heldFD: Int32?

    func set(_ key: String, _ value: String) { lock.lock(); values[key] = value; lock.unlock() }
    func get(_ key: String) -> String? { lock.lock(); defer { lock.unlock() }; return values[key] }
    func setFD(_ fd: Int32) { lock.lock(); heldFD = fd; lock.unlock() }
    var fd: Int32? { lock.lock(); defer { lock.unlock() }; return heldFD }
}
