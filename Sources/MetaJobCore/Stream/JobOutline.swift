/// What a watcher knows of one job's definition: enough to draw it, nothing it runs with (no command,
/// environment or arguments, which may hold secrets).
public struct JobOutline: Sendable, Equatable, Codable {
    public var name: String
    public var team: String?
    public var dependsOn: [String]
    /// Automatic retries the definition allows.
    public var retries: Int
    public var failDagOnError: Bool

    /// An outline; every field as named.
    public init(name: String, team: String?, dependsOn: [String], retries: Int, failDagOnError: Bool) {
        self.name = name
        self.team = team
        self.dependsOn = dependsOn
        self.retries = retries
        self.failDagOnError = failDagOnError
    }
}
