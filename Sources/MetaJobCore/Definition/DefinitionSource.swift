/// Where a definition's bytes came from and what the file around it implies, for `DefinitionLoader`.
public struct DefinitionSource: Sendable {
    /// The file's path as given (nil: none). A `.py` path is read as a VDK DAG step, `.json` as JSON.
    public var path: String?
    /// The meta job's name when the file has no `name` (nil: the file name without its extension).
    public var defaultName: String?
    /// The jobs' team when neither the job nor the file names one (a VDK DAG job's `config.ini` team).
    public var defaultTeam: String?
    /// The directory relative paths are resolved against (nil: the file's directory).
    public var directory: String?
    /// Evaluates a Python step whose job list is built by code (the line says where) and returns the list
    /// as a Python literal; nil when evaluation is not possible here (the loader then says so).
    public var evaluatePython: (@Sendable (_ line: Int) -> Result<[UInt8], ValidationIssue>)?

    public init(path: String?, defaultName: String? = nil, defaultTeam: String? = nil, directory: String? = nil,
                evaluatePython: (@Sendable (_ line: Int) -> Result<[UInt8], ValidationIssue>)? = nil) {
        self.path = path
        self.defaultName = defaultName
        self.defaultTeam = defaultTeam
        self.directory = directory
        self.evaluatePython = evaluatePython
    }
}
