import Foundation
import MetaJobCore

/// Holds one command's answer between the thread that receives it and the one waiting for it.
final class ReplySlot: @unchecked Sendable {
    private let lock = NSLock()
    private var reply: CommandReply = .refused("no answer")

    func set(_ value: CommandReply) {
        lock.lock()
        reply = value
        lock.unlock()
    }

    func get() -> CommandReply {
        lock.lock()
        defer { lock.unlock() }
        return reply
    }
}
