/// One job of a run as recorded when the run starts.
public struct NewRunJob: Sendable {
    public var name: String
    public var team: String?
    public var failDagOnError: Bool
    public var dependsOn: [String]
    /// The earlier run this job's success is reused from (resume); it is recorded as succeeded.
    public var reusedFrom: String?

    /// A job description; every field as named.
    public init(name: String, team: String? = nil, failDagOnError: Bool = true, dependsOn: [String] = [],
                reusedFrom: String? = nil) {
        self.name = name
        self.team = team
        self.failDagOnError = failDagOnError
        self.dependsOn = dependsOn
        self.reusedFrom = reusedFrom
    }
}
