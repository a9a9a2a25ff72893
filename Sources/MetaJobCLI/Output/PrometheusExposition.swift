import MetaJobCore

/// The history's metrics in Prometheus' text exposition format (version 0.0.4), for node_exporter's textfile
/// collector: names `metajob_…` in base units (`_seconds`), counters ending `_total`, one HELP and TYPE per family.
enum PrometheusExposition {
    /// The outcomes a run is counted under (every one present per meta job, 0 when none: alerts need the series).
    static let outcomes: [StoredRunState] = [.succeeded, .failed, .cancelled, .interrupted]

    static func render(_ metrics: HistoryMetrics) -> String {
        var out = ""
        let metaJobs = Array(Set(metrics.runs.map(\.metaJob) + metrics.lastRuns.map(\.metaJob))).sorted()

        family(&out, "metajob_runs_total", "counter", "Finished meta job runs recorded in the history, by outcome.")
        for metaJob in metaJobs {
            for outcome in outcomes {
                let count = metrics.runs.first { $0.metaJob == metaJob && $0.state == outcome }?.count ?? 0
                sample(&out, "metajob_runs_total", [("meta_job", metaJob), ("outcome", outcome.rawValue)], Double(count))
            }
        }
        family(&out, "metajob_last_run_timestamp_seconds", "gauge", "When the meta job's newest finished run ended, in seconds since 1970.")
        for run in metrics.lastRuns {
            sample(&out, "metajob_last_run_timestamp_seconds", [("meta_job", run.metaJob)], run.endedAt)
        }
        family(&out, "metajob_last_run_duration_seconds", "gauge", "How long the meta job's newest finished run took.")
        for run in metrics.lastRuns {
            sample(&out, "metajob_last_run_duration_seconds", [("meta_job", run.metaJob)], max(0, run.endedAt - run.startedAt))
        }
        family(&out, "metajob_last_run_success", "gauge", "1 when the meta job's newest finished run succeeded, else 0.")
        for run in metrics.lastRuns {
            sample(&out, "metajob_last_run_success", [("meta_job", run.metaJob)], run.state == .succeeded ? 1 : 0)
        }
        family(&out, "metajob_last_run_outcome", "gauge", "1 for the outcome of the meta job's newest finished run, 0 for the others.")
        for run in metrics.lastRuns {
            for outcome in outcomes {
                sample(&out, "metajob_last_run_outcome", [("meta_job", run.metaJob), ("outcome", outcome.rawValue)],
                       run.state == outcome ? 1 : 0)
            }
        }
        family(&out, "metajob_job_last_duration_seconds", "gauge", "How long each job took in its meta job's newest finished run (all attempts).")
        for run in metrics.lastRuns {
            for job in run.jobs {
                guard let duration = job.durationSeconds else { continue }
                sample(&out, "metajob_job_last_duration_seconds", [("meta_job", run.metaJob), ("job", job.name)], duration)
            }
        }
        family(&out, "metajob_job_last_success", "gauge", "1 when the job succeeded in its meta job's newest finished run, else 0.")
        for run in metrics.lastRuns {
            for job in run.jobs {
                sample(&out, "metajob_job_last_success", [("meta_job", run.metaJob), ("job", job.name)], job.state == .succeeded ? 1 : 0)
            }
        }
        family(&out, "metajob_job_failures_total", "counter", "Runs of the job that failed (user_error or platform_error), over the recorded runs.")
        for failure in metrics.jobFailures {
            sample(&out, "metajob_job_failures_total", [("meta_job", failure.metaJob), ("job", failure.job)], Double(failure.failures))
        }
        return out
    }

    private static func family(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func sample(_ out: inout String, _ name: String, _ labels: [(String, String)], _ value: Double) {
        out += name
        if !labels.isEmpty {
            out += "{" + labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        out += " " + number(value) + "\n"
    }

    /// A label value as the format wants it: backslash, double quote and line feed escaped.
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Whole numbers without a fraction; others as Swift's shortest round-trip text (Go's parser reads both).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
