/// A meta job as written in its definition file, after parsing and validation.
public struct MetaJobDefinition: Sendable, Equatable {
    /// The meta job's name (`name`, or the file name without its extension).
    public var name: String
    /// The default `team_name` of its jobs (`team`).
    public var team: String?
    /// Top-level settings the file set; unset ones are nil so configuration can layer env and flags over them.
    public var settings: DefinitionSettings
    /// The jobs, in file order.
    public var jobs: [JobDefinition]
    /// The directory relative paths are resolved against (the definition file's directory).
    public var directory: String

    public init(name: String, team: String? = nil, settings: DefinitionSettings = DefinitionSettings(),
                jobs: [JobDefinition], directory: String = ".") {
        self.name = name
        self.team = team
        self.settings = settings
        self.jobs = jobs
        self.directory = directory
    }
}
