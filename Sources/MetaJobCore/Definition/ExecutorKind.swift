/// Where a job runs: as a local process, or as a deployed data job on the VDK Control Service.
public enum ExecutorKind: String, Sendable, Equatable, CaseIterable {
    case local
    case remote
}
