import Testing
@testable import MetaJobCore

/// Resume planning: what a resumed run reuses, runs again and adopts — from the definition and the earlier run.
@Suite("Resume plan")
struct ResumePlanTests {
    static let definition = MetaJobDefinition(name: "m", jobs: [
        JobDefinition(name: "a"), JobDefinition(name: "b", dependsOn: ["a"]), JobDefinition(name: "c", dependsOn: ["b"]),
        JobDefinition(name: "d"), JobDefinition(name: "e"),
    ], directory: "/tmp")

    static func previous(_ states: [String: (String, String?, String?)]) -> RunDetail {
        let summary = RunSummary(runId: "R1", metaJob: "m", state: .failed, startedAt: 0, endedAt: 1, jobCounts: [:], resumedFrom: nil)
        let jobs = states.sorted { $0.key < $1.key }.map { name, s in
            JobHistory(name: name, team: nil, state: s.0, attempts: 1, exitCode: nil, reason: nil, executionId: s.1,
                       startedAt: nil, endedAt: nil, reusedFrom: s.2, events: [])
        }
        return RunDetail(summary: summary, startedBy: "manual/m", host: "h", pid: 1, workingDirectory: "/", commandLine: [],
                         definitionPath: nil, definitionText: [], settingsJSON: "{}", jobs: jobs)
    }

    @Test func failedJobsRunSucceededOnesAreReusedFromWhereTheyFirstSucceeded() throws {
        let plan = try ResumePlan(definition: Self.definition, previous: Self.previous([
            "a": ("succeeded", nil, "R0"), "b": ("user_error", nil, nil), "c": ("not_run", nil, nil),
            "d": ("succeeded", nil, nil), "e": ("running", "exec-7", nil),
        ]), rerun: [])
        #expect(plan.toRun == ["b", "c", "e"])
        #expect(plan.reused == ["a": "R0", "d": "R1"])
        #expect(plan.adopt == ["e": "exec-7"], "an execution still going when the run was interrupted is adopted")
    }

    @Test func namedJobsRunWithEverythingDownstreamAndNewJobsRun() throws {
        let plan = try ResumePlan(definition: Self.definition, previous: Self.previous([
            "a": ("succeeded", nil, nil), "b": ("succeeded", "x", nil), "c": ("succeeded", nil, nil), "d": ("succeeded", nil, nil),
        ]), rerun: ["b"])
        #expect(plan.toRun == ["b", "c", "e"], "e is not in the earlier run")
        #expect(plan.reused == ["a": "R1", "d": "R1"])
        #expect(plan.adopt.isEmpty, "a finished execution is never adopted")
    }

    @Test func anUnknownJobNameIsRefusedWithTheNames() {
        #expect(throws: ResumePlan.Problem.self) {
            try ResumePlan(definition: Self.definition, previous: Self.previous(["a": ("succeeded", nil, nil)]), rerun: ["zz"])
        }
        do {
            _ = try ResumePlan(definition: Self.definition, previous: Self.previous([:]), rerun: ["zz", "b"])
        } catch let problem as ResumePlan.Problem {
            #expect(problem.message.contains("no job named zz") && problem.message.contains("a, b, c, d, e"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
