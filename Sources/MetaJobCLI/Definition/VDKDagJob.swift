import Foundation

/// A VDK DAG job on disk: the data job directory whose step calls `run_dag`, its name and its team.
struct VDKDagJob {
    /// The DAG job's name (its directory's name) when the step sits in a data job directory (one with a
    /// `config.ini`); nil for a lone `.py` file, whose name is its file name.
    var name: String?
    /// `[owner] team` from the data job's `config.ini`: the default team of the jobs it runs.
    var team: String?
    /// Where the DAG job's sibling data jobs live (the DAG job directory's parent), nil for a lone file.
    var siblingsDirectory: String?
    /// `[contacts]` of its `config.ini`: VDK's `notified_on_job_…` keys → their addresses. metajob sends no
    /// e-mail itself; notification hooks get these (see `RunReport.recipients`).
    var contacts: [String: [String]] = [:]

    /// VDK's contact keys, as `config.ini` names them.
    static let contactKeys = ["notified_on_job_failure_user_error", "notified_on_job_failure_platform_error",
                              "notified_on_job_success", "notified_on_job_deploy"]

    init(stepPath: String) {
        let url = URL(fileURLWithPath: stepPath).standardizedFileURL
        let jobDirectory = url.deletingLastPathComponent()
        let config = jobDirectory.appendingPathComponent("config.ini").path
        guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { return }
        name = jobDirectory.lastPathComponent
        team = Self.iniValue(text, section: "owner", key: "team")
        siblingsDirectory = jobDirectory.deletingLastPathComponent().path
        for key in Self.contactKeys {
            // VDK separates addresses with commas or semicolons.
            let addresses = (Self.iniValue(text, section: "contacts", key: key) ?? "")
                .split(whereSeparator: { $0 == "," || $0 == ";" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !addresses.isEmpty { contacts[key] = addresses }
        }
    }

    /// The step of the data job directory `directory` that holds the job list: VDK runs steps in file name
    /// order, so the first `.py` file mentioning `run_dag` or `JOBS_RUN_ORDER`.
    static func step(in directory: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        for name in names.filter({ $0.lowercased().hasSuffix(".py") }).sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard case .success(let bytes) = DefinitionFile.read(path) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("run_dag") || text.contains("JOBS_RUN_ORDER") { return path }
        }
        return nil
    }

    /// `key` in `[section]` of an INI text as Python's configparser reads it (`key = value` or `key: value`,
    /// `#`/`;` comment lines, names case-insensitive); nil when absent or empty.
    static func iniValue(_ text: String, section: String, key: String) -> String? {
        var current = ""
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(raw).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces).lowercased()
                continue
            }
            guard current == section.lowercased(),
                  let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let name = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            guard name == key.lowercased() else { continue }
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
