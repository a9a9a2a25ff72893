import Testing
@testable import MetaJobCore

@Suite struct DefinitionValidationTests {
    @Test func disallowedJobKeyWithHint() throws {
        let issues = Load.issues("""
            jobs:
              - job_name: a
                depend_on: []
            """)
        #expect(issues.map(\.kind) == [.permission, .requirement])
        let p = issues[0]
        #expect(p.jobs == ["a"])
        #expect(p.line == 2)
        #expect(p.reason == "One or more job dict keys are not allowed.")
        #expect(p.countermeasure.contains("Remove the disallowed Data Job Dict keys. Keys [depend_on] are not allowed."))
        #expect(p.countermeasure.contains("Allowed keys: {job_name, depends_on, team_name,"))
        #expect(p.countermeasure.contains("Did you mean `depends_on` instead of `depend_on`?"))
        let r = issues[1]
        #expect(r.reason == "One or more job dict required keys are missing.")
        #expect(r.countermeasure == "Add the missing required Data Job Dict keys. Keys [depends_on] are missing. "
            + "Required keys: {job_name, depends_on}.")
        #expect(r.line == 2)
    }

    @Test func disallowedTopLevelKey() {
        let issues = Load.issues("""
            nmae: x
            jobs: []
            """)
        #expect(issues.count == 1)
        #expect(issues[0].kind == .permission)
        #expect(issues[0].line == 1)
        #expect(issues[0].countermeasure.contains("Keys [nmae] are not allowed"))
        #expect(issues[0].countermeasure.contains("Allowed keys: {name, team, executor,"))
        #expect(issues[0].countermeasure.contains("Did you mean `name`"))
    }

    @Test func missingJobsKey() {
        let issues = Load.issues("name: x\n")
        #expect(issues.map(\.kind) == [.requirement])
        #expect(issues[0].reason.contains("jobs"))
    }

    @Test func typeIssues() {
        let issues = Load.issues("""
            max_concurrent_running_jobs: "15"
            time_between_status_check_seconds: true
            delayed_jobs_min_delay_seconds: -1
            jobs:
              - job_name: a
                depends_on: b
              - job_name: 123
                depends_on: [a, 7]
                fail_dag_on_error: 1
              - just a string
              - job_name: c
                depends_on: []
                retries: 99999999999999999999999
                timeout_seconds: 0
                retry_delay_seconds: "10"
                env: {A: [1]}
                command: []
                executor: cloud
            """)
        let byLine = Dictionary(grouping: issues, by: { $0.line ?? 0 })
        #expect(issues.allSatisfy { $0.kind == .type })
        #expect(byLine[1]?.first?.reason == "The type of the key max_concurrent_running_jobs is not integer.")
        #expect(byLine[1]?.first?.countermeasure
            == "Check the type of the max_concurrent_running_jobs key. Current type is string. Expected type is integer.")
        #expect(byLine[2]?.first?.countermeasure.contains("Current type is boolean. Expected type is number.") == true)
        #expect(byLine[3]?.first?.reason.contains("out of range: -1") == true)
        let a = byLine[5] ?? []
        #expect(a.count == 1)
        #expect(a.first?.jobs == ["a"])
        #expect(a.first?.reason == "The type of the job dict key depends_on is not list.")
        #expect(a.first?.countermeasure
            == "Check the Data Job Dict type of the depends_on key. Current type is string. Expected type is list.")
        let j123 = byLine[7] ?? []
        #expect(j123.count == 3)
        #expect(j123.allSatisfy { $0.jobs == ["123"] })
        #expect(j123.contains { $0.reason == "The type of the job dict key job_name is not string."
            && $0.countermeasure.contains("Current type is integer") })
        #expect(j123.contains { $0.reason == "The type of the items of the job dict key depends_on is not string."
            && $0.countermeasure.contains("item 2 (7) is integer") })
        #expect(j123.contains { $0.reason == "The type of the job dict key fail_dag_on_error is not boolean." })
        #expect(byLine[10]?.first?.reason == "The type of the job dict at position 3 is not mapping.")
        let c = byLine[11] ?? []
        #expect(c.count == 6)
        #expect(c.allSatisfy { $0.jobs == ["c"] })
        #expect(c.contains { $0.reason.contains("retries is out of range: 99999999999999999999999") })
        #expect(c.contains { $0.reason.contains("timeout_seconds is out of range: 0") })
        #expect(c.contains { $0.reason == "The type of the job dict key retry_delay_seconds is not number." })
        #expect(c.contains { $0.reason.contains("env variable A") && $0.countermeasure.contains("Current type is list") })
        #expect(c.contains { $0.reason.contains("command is out of range") })
        #expect(c.contains { $0.reason.contains("executor is out of range: cloud") })
        #expect(issues.count == 1 + 1 + 1 + 1 + 3 + 1 + 6)
    }

    @Test func hugeNumbersInJSON() {
        let issues = Load.issues("""
            [{"job_name": "a", "depends_on": [], "retries": 99999999999999999999999,
              "timeout_seconds": 1e999, "arguments": {"n": -99999999999999999999}}]
            """, path: "x.json")
        // An argument beyond 64 bits passes through as Python writes it (issue 14); the settings do not fit.
        #expect(issues.count == 2)
        #expect(issues.allSatisfy { $0.kind == .type && $0.line == 1 && $0.jobs == ["a"] })
    }

    @Test func topLevelNotMappingOrList() {
        let issues = Load.issues("just a string\n")
        #expect(issues.map(\.kind) == [.type])
        #expect(issues[0].reason.contains("is a string"))
    }

    @Test func failMetaJobOnErrorConflict() {
        let issues = Load.issues("""
            jobs:
              - job_name: a
                depends_on: []
                fail_dag_on_error: true
                fail_meta_job_on_error: false
            """)
        #expect(issues.map(\.kind) == [.conflict])
        #expect(issues[0].jobs == ["a"])
        #expect(issues[0].line == 2)
    }

    @Test func duplicateJobs() {
        let issues = Load.issues("""
            jobs:
              - job_name: a
                depends_on: []
              - job_name: b
                depends_on: [a]
              - job_name: a
                depends_on: [b]
            """)
        #expect(issues.count == 1)
        #expect(issues[0].kind == .conflict)
        #expect(issues[0].jobs == ["a"])
        #expect(issues[0].line == 6)
        #expect(issues[0].reason == "There are some duplicated jobs: [a] (lines 2, 6).")
    }

    @Test func duplicateKeyInJSONJob() {
        let issues = Load.issues("""
            {"jobs": [
              {"job_name": "a",
               "depends_on": [],
               "depends_on": ["x"]}
            ]}
            """, path: "d.json")
        #expect(issues.count == 1)
        #expect(issues[0].kind == .conflict)
        #expect(issues[0].line == 2)
        #expect(issues[0].jobs == ["a"])
        #expect(issues[0].reason == "The key depends_on appears more than once in the job dict (lines 3, 4).")
    }

    @Test func duplicateTopLevelKeyInJSON() {
        let issues = Load.issues("{\"jobs\": [],\n \"jobs\": []}", path: "d.json")
        #expect(issues.map(\.kind) == [.conflict])
        #expect(issues[0].line == 2)
        #expect(issues[0].reason.contains("The key jobs appears more than once in the top-level mapping"))
    }

    @Test func duplicateKeyInYAML() {
        let issues = Load.issues("""
            jobs:
              - job_name: a
                depends_on: []
                depends_on: [b]
            """)
        #expect(issues.map(\.kind) == [.conflict])
        #expect(issues[0].reason.contains("depends_on"))
        #expect(issues[0].line == 3)
    }

    @Test func cycles() {
        let issues = Load.issues("""
            jobs:
              - {job_name: job1, depends_on: [job1]}
              - {job_name: job2, depends_on: [job3]}
              - {job_name: job3, depends_on: [job4]}
              - {job_name: job4, depends_on: [job2]}
              - {job_name: job5, depends_on: [job6]}
              - {job_name: job6, depends_on: [job5]}
            """)
        #expect(issues.map(\.kind) == [.conflict, .conflict, .conflict])
        #expect(issues[0].reason == "There is a cycle in the DAG: job1 → job1.")
        #expect(issues[0].jobs == ["job1"])
        #expect(issues[0].line == 2)
        #expect(issues[1].reason == "There is a cycle in the DAG: job2 → job3 → job4 → job2.")
        #expect(issues[1].jobs == ["job2", "job3", "job4"])
        #expect(issues[1].line == 3)
        #expect(issues[2].reason == "There is a cycle in the DAG: job5 → job6 → job5.")
        #expect(issues[2].jobs == ["job5", "job6"])
        #expect(issues[2].line == 6)
    }

    @Test func unknownDependency() {
        let issues = Load.issues("""
            jobs:
              - job_name: ingest-orders
                depends_on: []
              - job_name: report
                depends_on: [ingest-order, zzz]
            """)
        #expect(issues.count == 1)
        #expect(issues[0].kind == .requirement)
        #expect(issues[0].jobs == ["report"])
        #expect(issues[0].line == 4)
        #expect(issues[0].reason.contains("report depends on [ingest-order, zzz]"))
        #expect(issues[0].countermeasure.contains("Did you mean `ingest-orders` instead of `ingest-order`?"))
    }

    @Test func severalErrorsAtOnce() {
        let issues = Load.issues("""
            foo: 1
            jobs:
              - job_name: a
                depends_on: [missing]
              - job_name: b
              - job_name: c
                depends_on: [c]
                retries: -1
            """)
        #expect(issues.map(\.kind) == [.permission, .requirement, .requirement, .type, .conflict])
        #expect(issues.map(\.line) == [1, 3, 5, 6, 6])
    }

    @Test func commandForms() {
        let issues = Load.issues("""
            jobs:
              - {job_name: a, depends_on: [], command: ""}
              - {job_name: b, depends_on: [], command: [sleep, 5]}
              - {job_name: c, depends_on: [], command: {x: 1}}
            """)
        #expect(issues.map(\.line) == [2, 3, 4])
        #expect(issues[1].countermeasure.contains("item 2 (5) is integer"))
        #expect(issues[2].countermeasure.contains("Expected type is string or list"))
    }
}
