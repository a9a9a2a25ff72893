// The run's plain values cross a process boundary as JSON (a run connection over a socket); the raw-valued
// enums encode as their raw values, which are also the words the NDJSON output and the history use.
extension JobState: Codable {}
extension RunOutcome: Codable {}
extension LogStream: Codable {}
