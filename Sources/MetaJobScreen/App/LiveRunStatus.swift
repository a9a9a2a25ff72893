/// The live run on screen as its snapshot and events tell it: what a session needs to decide how to quit.
public struct LiveRunStatus: Sendable, Equatable {
    /// The run's id (a session shows one run at a time, but a resume replaces it).
    public var runId: String
    /// Not finished (a retry can reopen a finished run).
    public var isGoing: Bool
    /// Jobs holding a slot (submitted or running).
    public var slotsUsed: Int

    /// A status; every field as named.
    public init(runId: String, isGoing: Bool, slotsUsed: Int) {
        self.runId = runId
        self.isGoing = isGoing
        self.slotsUsed = slotsUsed
    }
}
