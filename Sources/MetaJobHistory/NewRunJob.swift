/// One job of a run as recorded when the run starts.
public struct NewRunJob: Sendable {
    /// The job's name, unique in the run.
    public var name: String
    /// Its team, if the definition gave one.
    public var team: String?
    /// Whether its final failure fails the meta job.
    public var failDagOnError: Bool
    /// The jobs it waits for, by name.
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
