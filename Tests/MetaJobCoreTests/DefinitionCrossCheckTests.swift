import Testing
@testable import MetaJobCore

@Suite("Cross-job checks report everything at once")
struct DefinitionCrossCheckTests {
    @Test func cyclesAreReportedEvenWhenAJobIsDuplicated() {
        let issues = Load.issues("""
            jobs:
              - job_name: a
                depends_on: []
              - job_name: a
                depends_on: []
              - job_name: c
                depends_on: [c]
              - job_name: d1
                depends_on: [d2]
              - job_name: d2
                depends_on: [d1]
            """)
        let conflicts = issues.filter { $0.kind == .conflict }
        #expect(conflicts.count == 3)
        #expect(conflicts.contains { $0.reason.contains("duplicated jobs: [a]") })
        #expect(conflicts.contains { $0.reason == "There is a cycle in the DAG: c → c." && $0.jobs == ["c"] && $0.line == 6 })
        #expect(conflicts.contains { $0.reason == "There is a cycle in the DAG: d1 → d2 → d1." && Set($0.jobs) == ["d1", "d2"] })
    }

    @Test func spellingHintsAreSensible() {
        #expect(SpellingHint.closest(to: "zz", in: ["a", "b"]) == nil, "no hint two edits away from a short name")
        #expect(SpellingHint.closest(to: "nmae", in: ["name", "team"]) == "name", "a swap of neighbours is one edit")
        #expect(SpellingHint.closest(to: "job2", in: ["job1", "other"]) == "job1")
        #expect(SpellingHint.closest(to: "ingest-odrers", in: ["ingest-orders", "ingest-refunds"]) == "ingest-orders")
        #expect(SpellingHint.closest(to: "report", in: ["ingest"]) == nil)
    }
}
