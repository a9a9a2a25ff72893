import Testing
@testable import MetaJobCore

/// Helpers shared by the definition tests.
enum Load {
    static func ok(_ text: String, path: String? = "nightly.yaml") -> MetaJobDefinition? {
        switch DefinitionLoader.load(bytes: Array(text.utf8), path: path) {
        case .success(let d): return d
        case .failure(let r):
            Issue.record("unexpected issues: \(r.issues)")
            return nil
        }
    }

    static func issues(_ text: String, path: String? = "nightly.yaml") -> [ValidationIssue] {
        issues(bytes: Array(text.utf8), path: path)
    }

    static func issues(bytes: [UInt8], path: String? = "nightly.yaml") -> [ValidationIssue] {
        switch DefinitionLoader.load(bytes: bytes, path: path) {
        case .success(let d):
            Issue.record("expected issues, got \(d)")
            return []
        case .failure(let r): return r.issues
        }
    }
}

@Suite struct DefinitionLoaderTests {
    static let example = """
        name: nightly-sales                 # meta job name; default: the file name without extension
        team: team-awesome                  # default team_name of its jobs
        max_concurrent_running_jobs: 15
        jobs:
          - job_name: ingest-orders
            depends_on: []
            command: ["./ingest.sh", "orders"]    # a list is an argv
          - job_name: ingest-refunds
            depends_on: []
            command: ./ingest.sh refunds          # a string runs with /bin/sh -c
            arguments: {since: "2026-11-01"}
            retries: 2
          - job_name: report
            depends_on: [ingest-orders, ingest-refunds]
            fail_dag_on_error: false
            command: python3 report.py
        """

    @Test func exampleParsesToExpectedDefinition() {
        let expected = MetaJobDefinition(
            name: "nightly-sales", team: "team-awesome",
            settings: DefinitionSettings(maxConcurrentRunningJobs: 15),
            jobs: [
                JobDefinition(name: "ingest-orders", teamName: "team-awesome", dependsOn: [],
                              command: .argv(["./ingest.sh", "orders"]), line: 5),
                JobDefinition(name: "ingest-refunds", teamName: "team-awesome", dependsOn: [],
                              arguments: .object([(key: "since", value: .string("2026-11-01"))]),
                              command: .shell("./ingest.sh refunds"), retries: 2, line: 8),
                JobDefinition(name: "report", teamName: "team-awesome", dependsOn: ["ingest-orders", "ingest-refunds"],
                              failDagOnError: false, command: .shell("python3 report.py"), line: 13),
            ],
            directory: "conf")
        #expect(Load.ok(Self.example, path: "conf/nightly.yaml") == expected)
    }

    @Test func allFieldsAndSettings() throws {
        let def = try #require(Load.ok("""
            executor: remote
            delayed_jobs_min_delay_seconds: 0.5
            delayed_jobs_randomized_added_delay_seconds: 2
            time_between_status_check_seconds: 1.25
            control_service_url: http://cs:8092
            jobs:
              - job_name: a
                depends_on: []
                team_name: t1
                working_directory: sub/dir
                env: {A: x, PORT: 8080, DEBUG: true, RATIO: 0.5}
                timeout_seconds: 2.5
                retry_delay_seconds: 0.25
                executor: local
                arguments: {n: 1, f: 1.5, b: false, z: null, list: [1, "two"], nested: {k: v}, when: 2026-11-01}
            """))
        #expect(def.name == "nightly")
        #expect(def.directory == ".")
        #expect(def.settings == DefinitionSettings(
            executor: .remote, delayedJobsMinDelaySeconds: 0.5, delayedJobsRandomizedAddedDelaySeconds: 2,
            timeBetweenStatusCheckSeconds: 1.25, controlServiceURL: "http://cs:8092"))
        let job = try #require(def.jobs.first)
        #expect(job.teamName == "t1")
        #expect(job.workingDirectory == "sub/dir")
        #expect(job.env == [EnvironmentVariable(name: "A", value: "x"), EnvironmentVariable(name: "PORT", value: "8080"),
                            EnvironmentVariable(name: "DEBUG", value: "true"),
                            EnvironmentVariable(name: "RATIO", value: "0.5")])
        #expect(job.timeoutSeconds == 2.5)
        #expect(job.retryDelaySeconds == 0.25)
        #expect(job.executor == .local)
        #expect(job.command == nil)
        #expect(job.arguments == .object([
            (key: "n", value: .int(1)), (key: "f", value: .double(1.5)), (key: "b", value: .bool(false)),
            (key: "z", value: .null), (key: "list", value: .array([.int(1), .string("two")])),
            (key: "nested", value: .object([(key: "k", value: .string("v"))])),
            (key: "when", value: .string("2026-11-01")),
        ]))
    }

    @Test func bareListInYAMLAndJSON() {
        let yaml = Load.ok("""
            - job_name: a
              depends_on: []
            - job_name: b
              depends_on: [a]
            """, path: "dir/run-order.yaml")
        #expect(yaml == MetaJobDefinition(name: "run-order", jobs: [
            JobDefinition(name: "a", line: 1), JobDefinition(name: "b", dependsOn: ["a"], line: 3),
        ], directory: "dir"))
        let json = Load.ok("""
            [
              {"job_name": "a", "depends_on": []},
              {"job_name": "b", "depends_on": ["a"],
               "fail_meta_job_on_error": false}
            ]
            """, path: "run-order.json")
        #expect(json == MetaJobDefinition(name: "run-order", jobs: [
            JobDefinition(name: "a", line: 2), JobDefinition(name: "b", dependsOn: ["a"], failDagOnError: false, line: 3),
        ]))
    }

    @Test func jsonMappingFormWithoutExtensionUsesFastPath() throws {
        let def = try #require(Load.ok("""
            {"name": "x", "team": "t", "max_concurrent_running_jobs": 3,
             "jobs": [
               {"job_name": "a", "depends_on": [], "retries": 1, "timeout_seconds": 0.5,
                "arguments": {"s": "q\\"\\u00e9\\ud83d\\ude00", "big": 9007199254740993}}
             ]}
            """, path: nil))
        #expect(def.name == "x")
        #expect(def.team == "t")
        #expect(def.directory == ".")
        #expect(def.jobs[0].teamName == "t")
        #expect(def.jobs[0].line == 3)
        #expect(def.jobs[0].timeoutSeconds == 0.5)
        #expect(def.jobs[0].arguments == .object([(key: "s", value: .string("q\"é😀")),
                                                  (key: "big", value: .int(9007199254740993))]))
    }

    @Test func defaults() throws {
        let def = try #require(Load.ok("""
            team: squad
            jobs:
              - job_name: a
                depends_on: []
              - {job_name: b, depends_on: [], fail_meta_job_on_error: false, team_name: other}
            """, path: "dir/nightly.yaml"))
        #expect(def.name == "nightly")
        #expect(def.directory == "dir")
        #expect(def.team == "squad")
        #expect(def.settings == DefinitionSettings())
        #expect(def.jobs[0] == JobDefinition(name: "a", teamName: "squad", failDagOnError: true, retries: 0,
                                             retryDelaySeconds: 10, line: 3))
        #expect(def.jobs[1].failDagOnError == false)
        #expect(def.jobs[1].teamName == "other")
        #expect(def.jobs[1].line == 5)
        #expect(Load.ok("jobs: []", path: nil)?.name == "meta-job")
    }

    @Test func pathNames() {
        #expect(DefinitionLoader.names(from: "dir/nightly.yaml") == ("nightly", "dir"))
        #expect(DefinitionLoader.names(from: "nightly.yaml") == ("nightly", "."))
        #expect(DefinitionLoader.names(from: "/nightly.yml") == ("nightly", "/"))
        #expect(DefinitionLoader.names(from: "a/b.c/job") == ("job", "a/b.c"))
        #expect(DefinitionLoader.names(from: nil) == ("meta-job", "."))
    }

    @Test func quotedNumbersAreStrings() throws {
        let def = try #require(Load.ok("""
            jobs:
              - job_name: "1"
                depends_on: []
                command: ["sleep", "5"]
            """))
        #expect(def.jobs[0].name == "1")
        #expect(def.jobs[0].command == .argv(["sleep", "5"]))
    }
}
