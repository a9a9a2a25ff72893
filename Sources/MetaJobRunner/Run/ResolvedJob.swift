import MetaJobCore

/// A job made ready to launch: where it runs and what it spawns (local), resolved once before the run.
public struct ResolvedJob: Sendable, Equatable {
    public var definition: JobDefinition
    public var executor: ExecutorKind
    /// The argv to spawn (local jobs).
    public var argv: [String]
    /// Absolute working directory.
    public var workingDirectory: String
    /// For a VDK data job directory run with `vdk run`: that directory.
    public var vdkJobDirectory: String?

    public init(definition: JobDefinition, executor: ExecutorKind, argv: [String], workingDirectory: String,
                vdkJobDirectory: String? = nil) {
        self.definition = definition
        self.executor = executor
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.vdkJobDirectory = vdkJobDirectory
    }
}
