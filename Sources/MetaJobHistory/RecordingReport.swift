/// What a recorder could not write and when writing failed, as one sentence for the user (see `RecordingLosses`).
public struct RecordingReport: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public var text: String
    /// The text itself.
    public var description: String { text }
}
