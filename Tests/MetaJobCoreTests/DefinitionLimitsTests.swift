import Testing
@testable import MetaJobCore

/// Job names VDK and the Control Service accept, and values the runtime can take (durations, NUL, argv sizes).
@Suite struct DefinitionLimitsTests {
    static func job(_ name: String, extra: String = "", top: String = "") -> String {
        "\(top){\"jobs\": [{\"job_name\": \(JSONValue.string(name).jsonText), \"depends_on\": [], \"command\": \"true\"\(extra)}]}"
    }

    @Test func badJobNamesAreRefusedWithVDKTypesAndShownEscaped() {
        let cases: [(String, ValidationIssue.Kind)] = [
            ("", .requirement), ("   ", .requirement), ("\t", .requirement), (" a", .type), ("a ", .type), ("a/b", .type),
            ("a\nb", .type), ("a\u{0}b", .type), ("\u{202E}abc", .type), ("a\u{1B}[2Jb", .type), (".", .type), ("..", .type),
            ("a\u{85}b", .type), ("a\u{2066}b", .type),
        ]
        for (name, kind) in cases {
            let issues = Load.issues(Self.job(name), path: "m.json")
            let issue = issues.first { $0.reason.contains("job name") || $0.reason.contains("job_name") }
            #expect(issue?.kind == kind, "\(JobName.escaped(name)): \(issues)")
            #expect(issue?.countermeasure.isEmpty == false)
            // Nothing invisible reaches a message: the name is escaped wherever it is shown.
            for text in (issue?.jobs ?? []) + [issue?.reason ?? ""] {
                #expect(!text.unicodeScalars.contains { JobName.isHidden($0) && $0 != "\n" }, "\(text.debugDescription)")
                #expect(!text.contains("\u{202E}"))
            }
        }
        #expect(JobName.escaped("a\nb\u{202E}") == "`a\\nb\\u{202E}`")
    }

    @Test func unknownDependenciesAndDuplicatesWithHiddenCharactersAreShownEscaped() {
        let text = "{\"jobs\": [{\"job_name\": \"a\", \"depends_on\": [\"b\\u202e\\u001b[2J\"], \"command\": \"true\"}, "
            + "{\"job_name\": \"x\\ny\", \"depends_on\": []}, {\"job_name\": \"x\\ny\", \"depends_on\": []}]}"
        let issues = Load.issues(text, path: "m.json")
        #expect(issues.contains { $0.reason.contains("`b\\u{202E}\\u{1B}[2J`") }, "\(issues.map(\.reason))")
        for issue in issues {
            for text in issue.jobs + [issue.reason, issue.countermeasure] {
                #expect(!text.unicodeScalars.contains { JobName.isHidden($0) }, "\(text.debugDescription)")
            }
        }
    }

    @Test func remoteJobNamesFollowTheControlServiceRules() {
        let top = "{\"executor\": \"remote\", \"team\": \"t\", \"control_service_url\": \"http://x\", \"jobs\": "
        for bad in ["Load", "load_orders", "abc", "1load", String(repeating: "a", count: 51), "lo ad"] {
            let text = top + "[{\"job_name\": \"\(bad)\", \"depends_on\": []}]}"
            #expect(Load.issues(text, path: "m.json").contains { $0.kind == .type && $0.reason.contains("Control Service") }, "\(bad)")
        }
        for good in ["load-orders", "abcde", "a1234", String(repeating: "a", count: 50)] {
            #expect(Load.ok(top + "[{\"job_name\": \"\(good)\", \"depends_on\": []}]}", path: "m.json") != nil, "\(good)")
        }
        // A local job keeps VDK's wider rule (its directory name).
        #expect(Load.ok(Self.job("Load_Orders"), path: "m.json") != nil)
    }

    @Test func durationsBeyondTheClockAreRefusedWithTheMaximum() {
        for (key, value) in [("timeout_seconds", "9.3e9"), ("timeout_seconds", "1e308"), ("retry_delay_seconds", "1e10"),
                             ("retry_delay_seconds", "99999999999999999999999")] {
            let issues = Load.issues(Self.job("a", extra: ", \"\(key)\": \(value)"), path: "m.json")
            #expect(issues.contains { $0.kind == .type && $0.countermeasure.contains("at most 1000000000 seconds") }, "\(key) \(value): \(issues)")
        }
        #expect(Load.ok(Self.job("a", extra: ", \"timeout_seconds\": 1e9, \"retry_delay_seconds\": 86400"), path: "m.json") != nil)
        for key in ["delayed_jobs_min_delay_seconds", "time_between_status_check_seconds"] {
            #expect(!Load.issues("{\"\(key)\": 1e12, \"jobs\": [{\"job_name\": \"a\", \"depends_on\": [], \"command\": \"true\"}]}", path: "m.json").isEmpty)
        }
    }

    @Test func nulInArgvEnvAndPathsIsRefused() {
        for extra in [", \"command\": [\"echo\", \"a\\u0000b\"]", ", \"env\": {\"X\": \"a\\u0000b\"}",
                      ", \"working_directory\": \"a\\u0000b\""] {
            let text = "{\"jobs\": [{\"job_name\": \"a\", \"depends_on\": []\(extra)}]}"
            #expect(Load.issues(text, path: "m.json").contains { $0.reason.contains("NUL") }, "\(extra)")
        }
        let shell = "{\"jobs\": [{\"job_name\": \"a\", \"depends_on\": [], \"command\": \"echo a\\u0000b\"}]}"
        #expect(Load.issues(shell, path: "m.json").contains { $0.reason.contains("NUL") })
    }

    @Test func stringsBeyondMaxArgStrlenAreRefusedAndJustBelowAccepted() {
        let big = String(repeating: "x", count: 3_000_000)
        for extra in [", \"env\": {\"X\": \"\(big)\"}", ", \"arguments\": {\"x\": \"\(big)\"}"] {
            let issues = Load.issues(Self.job("a", extra: extra), path: "m.json")
            #expect(issues.contains { $0.reason.contains("131071") && $0.line == 1 }, "\(issues.map(\.reason))")
        }
        let argv = "{\"jobs\": [{\"job_name\": \"a\", \"depends_on\": [], \"command\": [\"echo\", \"\(big)\"]}]}"
        #expect(Load.issues(argv, path: "m.json").contains { $0.reason.contains("MAX_ARG_STRLEN") })
        let fits = String(repeating: "x", count: 131_071 - 2)
        #expect(Load.ok(Self.job("a", extra: ", \"env\": {\"X\": \"\(fits)\"}"), path: "m.json") != nil)
    }

    @Test func validatorKeysAreOneEnum() {
        #expect(DefinitionValidator.jobKeys == JobKey.allCases.map(\.name))
        #expect(DefinitionValidator.jobKeys.count == 13 && Set(DefinitionValidator.jobKeys).count == 13)
    }
}
