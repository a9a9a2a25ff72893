import Testing
@testable import MetaJobCore

/// A VDK DAG step read as a definition: Python literals natively, code handed to an evaluator.
@Suite struct PythonDefinitionTests {
    static func load(_ text: String, source: DefinitionSource = DefinitionSource(path: "dag/10_dag.py"))
        -> Result<MetaJobDefinition, ValidationReport> {
        DefinitionLoader.load(bytes: Array(text.utf8), source: source)
    }

    static func ok(_ text: String, source: DefinitionSource = DefinitionSource(path: "dag/10_dag.py")) -> MetaJobDefinition? {
        switch load(text, source: source) {
        case .success(let d): return d
        case .failure(let r):
            Issue.record("unexpected issues: \(r.issues)")
            return nil
        }
    }

    static func issues(_ text: String) -> [ValidationIssue] {
        if case .failure(let r) = load(text) { return r.issues }
        Issue.record("expected issues")
        return []
    }

    @Test func vdkStepWithPythonLiteralsIsReadNatively() throws {
        let text = #"""
        from vdk.plugin.dag.dag_runner import DagInput

        JOBS_RUN_ORDER = [
            {
                'job_name': 'ingest',   # single quotes
                "team_name": 'team-a',  # None would be refused here, as VDK refuses it
                "fail_dag_on_error": False,
                "arguments": {"quote": 'it\'s', "tab": "a\tb", "uni": "\u00e9\x41\101", "nested": {"l": [1, 2.5, True, None,],},
                              "big": 123456789012345678901234567890, "neg": -5, "hex": 0xFF, "under": 1_000,
                              "inf": float('inf'), "ninf": float("-inf"), "joined": "a" 'b',
                              "raw": r'C:\new', "tuple": (1, 2), "triple": """x
        y""", "exp": 1e16},
                "depends_on": [],
            },
            {"job_name": "report", "depends_on": ["ingest",],},  # trailing commas
        ]

        def run(job_input):
            DagInput().run_dag(JOBS_RUN_ORDER)
        """#
        let d = try #require(Self.ok(text))
        #expect(d.jobs.map(\.name) == ["ingest", "report"])
        #expect(d.jobs[0].teamName == "team-a")
        #expect(d.jobs[0].failDagOnError == false)
        #expect(d.jobs[1].dependsOn == ["ingest"])
        #expect(d.jobs[0].line == 4 && d.jobs[1].line == 15)
        let json = try #require(d.jobs[0].arguments?.jsonText)
        #expect(json == #"{"quote":"it's","tab":"a\tb","uni":"éAA","nested":{"l":[1,2.5,true,null]},"#
            + #""big":123456789012345678901234567890,"neg":-5,"hex":255,"under":1000,"inf":Infinity,"ninf":-Infinity,"#
            + #""joined":"ab","raw":"C:\\new","tuple":[1,2],"triple":"x\ny","exp":1e+16}"#)
    }

    @Test func listPassedStraightToRunDagAndTeamFromTheDagJob() throws {
        let text = """
        def run(job_input):
            DagInput().run_dag([
                {"job_name": "a", "depends_on": []},  # no team: the DAG job's
                {"job_name": "b", "team_name": "other", "depends_on": ["a"]},
            ])
        """
        let d = try #require(Self.ok(text, source: DefinitionSource(path: "x/dag.py", defaultName: "my-dag", defaultTeam: "my-team")))
        #expect(d.name == "my-dag")
        #expect(d.jobs.map(\.teamName) == ["my-team", "other"])
    }

    @Test func aNameAssignedInsideRunIsFollowed() throws {
        let text = """
        def run(job_input):
            jobs = [{"job_name": "a", "depends_on": []}]
            DagInput().run_dag(jobs)
        """
        #expect(Self.ok(text)?.jobs.map(\.name) == ["a"])
    }

    @Test func validationErrorsCarryTheLineInThePythonFile() {
        let text = """
        JOBS_RUN_ORDER = [
            {"job_name": "a", "depends_on": []},
            {"job_name": "b", "depends_on": ["nope"], "fail_dag_on_error": "yes"},
        ]
        """
        let issues = Self.issues(text)
        #expect(issues.contains { $0.kind == .type && $0.line == 3 && $0.reason.contains("fail_dag_on_error") })
        #expect(issues.contains { $0.kind == .requirement && $0.line == 3 })
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let issue = Self.issues("JOBS_RUN_ORDER = [\n    {\"job_name\": \"a\n]\n").first
        #expect(issue?.kind == .syntax && issue?.line == 2)
    }

    @Test func codeIsHandedToTheEvaluatorAndItsLineIsUsed() throws {
        let text = """
        job1 = dict(job_name="job1", depends_on=[])
        def run(job_input):
            DagInput().run_dag([job1])
        """
        // Without an evaluator: a clear syntax issue at the call's line.
        let issue = Self.issues(text).first
        #expect(issue?.kind == .syntax && issue?.line == 3 && issue?.reason.contains("built by code") == true)
        // With one: its literal is read, and issues point at the call.
        let seen = LineBox()
        let source = DefinitionSource(path: "dag.py", evaluatePython: { line in
            seen.line = line
            return .success(Array("[{'job_name': 'job1', 'depends_on': ['nope']}]".utf8))
        })
        guard case .failure(let report) = Self.load(text, source: source) else { Issue.record("expected issues"); return }
        #expect(seen.line == 3)
        #expect(report.issues.first?.line == 3)
    }

    @Test func listsChangedAfterTheLiteralAreCode() {
        for text in ["JOBS_RUN_ORDER = [{'job_name': 'a', 'depends_on': []}]\nJOBS_RUN_ORDER += []\n",
                     "JOBS_RUN_ORDER = [{'job_name': 'a', 'depends_on': []}]\nJOBS_RUN_ORDER.append({})\n",
                     "JOBS_RUN_ORDER = [{'job_name': 'a', 'depends_on': []}] + more\n",
                     "JOBS_RUN_ORDER = [{'job_name': n, 'depends_on': []} for n in 'ab']\n"] {
            #expect(Self.issues(text).first?.reason.contains("built by code") == true, "\(text)")
        }
    }

    @Test func pythonFloatsAreWrittenAsJsonDumpsWritesThem() {
        // Expected values from CPython 3.11: json.dumps(x).
        let cases: [(Double, String)] = [(1.0, "1.0"), (0.1, "0.1"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
                                         (1e-5, "1e-05"), (0.0001, "0.0001"), (123.456, "123.456"), (-2.5e-7, "-2.5e-07"),
                                         (1.5e300, "1.5e+300"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
                                         (.nan, "NaN"), (-0.0, "-0.0"), (12345678901234567.0, "1.2345678901234568e+16")]
        for (value, expected) in cases { #expect(JSONValue.pythonFloat(value) == expected, "\(value)") }
    }

    @Test func yamlInfinityAndBigIntegersPassThroughArguments() throws {
        let d = try #require(Load.ok("jobs:\n  - job_name: a\n    depends_on: []\n    command: 'true'\n    arguments: {x: .inf, n: 99999999999999999999, m: -.inf}\n"))
        #expect(d.jobs[0].arguments?.jsonText == #"{"x":Infinity,"n":99999999999999999999,"m":-Infinity}"#)
    }
}

/// A mutable box for a value seen inside a `@Sendable` closure in a test.
final class LineBox: @unchecked Sendable {
    var line = 0
}

/// Seeded mutations of VDK DAG steps never crash or hang the Python reader; what it accepts is a usable graph.
@Suite struct PythonDefinitionFuzzTests {
    static let seeds = [
        #"""
        from vdk.plugin.dag.dag_runner import DagInput
        JOBS_RUN_ORDER = [
            {'job_name': 'a', 'depends_on': [], 'arguments': {'s': 'it\'s \x41\u00e9\n', 'n': None, 'b': True, 'i': 0x1F, 'f': -1.5e3}},
            {"job_name": "b", "depends_on": ["a",], "fail_dag_on_error": False,},  # comment
            {'job_name': r'c', 'depends_on': ('a', 'b'), 'arguments': {'big': 10000000000000000000000, 'inf': float('inf')}},
        ]
        def run(job_input):
            DagInput().run_dag(JOBS_RUN_ORDER)
        """#,
        """
        def run(job_input):
            jobs = [
                {"job_name": "x", "depends_on": [], "arguments": {"t": \"\"\"multi
        line\"\"\", "l": [[], {}, (1,)]}},
            ]
            DagInput().run_dag(jobs=jobs)
        """,
    ]

    @Test func seedsAreValid() {
        for seed in Self.seeds { #expect(PythonDefinitionTests.ok(seed) != nil) }
    }

    @Test(arguments: 0..<2)
    func mutationsNeverCrash(shard: Int) {
        let donors = Self.seeds.map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0xD0C5_0000 + UInt64(shard))
        for round in 0..<2_500 {
            let bytes = DefinitionFuzzTests.mutate(donors[round % donors.count], &rng, donors: donors)
            switch DefinitionLoader.load(bytes: bytes, source: DefinitionSource(path: "dag.py")) {
            case .success(let definition):
                let names = Set(definition.jobs.map(\.name))
                #expect(names.count == definition.jobs.count, "shard \(shard) round \(round)")
                #expect(definition.jobs.allSatisfy { JobName.problem($0.name) == nil }, "shard \(shard) round \(round)")
            case .failure(let report):
                #expect(!report.issues.isEmpty, "shard \(shard) round \(round)")
            }
        }
    }
}
