import MetaJobCore
import Foundation
import GRDB

/// One row of `runs` as read, with its state derived: a `running` row whose process is gone reads as `interrupted`.
struct RunRow {
    /// The columns, in the order `init` reads them.
    static let columns = """
        id, run_id, meta_job, state, started_at, ended_at, heartbeat_at, host, pid, pid_start, process_name, resumed_from,
        started_by, working_directory, command_line, definition_path, definition_text, settings_json, resumed_by,
        recording_gaps, control_socket
        """

    var id: Int64
    var runId: String
    var metaJob: String
    var state: StoredRunState
    var startedAt: Double
    var endedAt: Double?
    var host: String
    var pid: Int32
    var resumedFrom: String?
    var resumedBy: String?
    /// What the recorder could not write, one line each (JSON array text in the file).
    var recordingGaps: String?
    var startedBy: String
    var workingDirectory: String
    var commandLine: String
    var definitionPath: String?
    var definitionText: [UInt8]
    var settingsJSON: String
    /// The run's control socket on `host`, if it serves one.
    var controlSocket: String?

    init(_ row: Row, now: Double) {
        id = row[0]
        runId = row[1]
        metaJob = row[2]
        let stored: String = row[3]
        startedAt = row[4]
        endedAt = row[5]
        let heartbeat: Double = row[6]
        host = row[7]
        pid = Int32(truncatingIfNeeded: row[8] as Int64)
        let pidStart: Int64? = row[9]
        let processName: String? = row[10]
        resumedFrom = row[11]
        startedBy = row[12]
        workingDirectory = row[13]
        commandLine = row[14]
        definitionPath = row[15]
        definitionText = (row[16] as Data?).map { [UInt8]($0) } ?? []
        settingsJSON = row[17]
        resumedBy = row[18]
        recordingGaps = row[19]
        controlSocket = row[20]
        state = RunRow.derive(stored, heartbeat: heartbeat, host: host, pid: pid, pidStart: pidStart,
                              processName: processName, now: now)
    }

    /// `interrupted` for a running run whose heartbeat stopped or whose process on this host is gone.
    /// A state this version does not know (written by a newer one) reads as interrupted: nothing can be assumed.
    static func derive(_ stored: String, heartbeat: Double, host: String, pid: Int32, pidStart: Int64?,
                       processName: String?, now: Double) -> StoredRunState {
        let state = StoredRunState(rawValue: stored) ?? .interrupted
        guard state == .running else { return state }
        if now - heartbeat > HistoryStore.heartbeatTimeout { return .interrupted }
        if host == ProcessLiveness.hostName && !ProcessLiveness.isAlive(pid: pid, start: pidStart, name: processName) {
            return .interrupted
        }
        return .running
    }

    func summary(counts: [String: Int]) -> RunSummary {
        RunSummary(runId: runId, metaJob: metaJob, state: state, startedAt: startedAt, endedAt: endedAt,
                   jobCounts: counts, resumedFrom: resumedFrom, resumedBy: resumedBy,
                   controlSocket: host == ProcessLiveness.hostName ? controlSocket : nil)
    }
}
