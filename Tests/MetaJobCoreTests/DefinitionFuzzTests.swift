import Foundation
import Testing
@testable import MetaJobCore

/// Seeded random mutations of valid definitions (YAML and JSON) through the loader and validator: every
/// result must be a definition or a non-empty report — a crash or a hang fails the whole test run.
@Suite struct DefinitionFuzzTests {
    static let seeds: [String] = [
        DefinitionLoaderTests.example,
        """
        name: diamond
        team: t
        max_concurrent_running_jobs: 3
        delayed_jobs_min_delay_seconds: 1
        jobs:
          - {job_name: a, depends_on: [], command: [echo, a], retries: 2, retry_delay_seconds: 0.5}
          - {job_name: b, depends_on: [a], command: "echo b", env: {X: "1"}, timeout_seconds: 3}
          - {job_name: c, depends_on: [a], fail_meta_job_on_error: false, arguments: {k: [1, 2, {z: null}]}}
          - job_name: d
            depends_on: [b, c]
            team_name: other
            working_directory: /tmp
            executor: local
            command: |
              echo "multi
              line"
        """,
        """
        - job_name: a
          depends_on: []
        - job_name: b
          depends_on: [a]
          arguments: &args {x: 1, y: "two"}
        - job_name: c
          depends_on: [a, b]
          arguments: *args
        """,
        #"{"name": "j", "team": "t", "max_concurrent_running_jobs": 2, "jobs": [{"job_name": "a", "depends_on": [], "command": ["sh", "-c", "echo \"hi\\n\" \u00e9"]}, {"job_name": "b", "depends_on": ["a"], "retries": 1, "arguments": {"n": -1.5e3, "t": true, "f": false, "z": null}}]}"#,
        #"[{"job_name": "a", "depends_on": []}, {"job_name": "b", "depends_on": ["a"], "fail_dag_on_error": false}]"#,
    ]

    /// Interesting bytes to insert: structure characters of both syntaxes, quotes, escapes, anchors,
    /// control bytes and the start of multi-byte UTF-8.
    static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", ":", ",", "-", "- ", "\"", "'", "\\", "\\u", "&a", "*a", "!!str", "? ", "|", ">",
        "#", "\n", "\n  ", "\t", " ", "null", "true", "1e999", "-0", "99999999999999999999", "job_name",
        "depends_on", "%YAML 1.2\n", "---\n", "...\n", "<<: *a\n",
    ].map { Array($0.utf8) } + [[0], [0x1B], [0xFF], [0xC3], [0xE2, 0x82], [0xEF, 0xBB, 0xBF], [0xED, 0xA0, 0x80]]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64, donors: [[UInt8]]) -> [UInt8] {
        var bytes = input
        let rounds = 1 + Int(rng.next() % 4)
        for _ in 0..<rounds {
            let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 6 {
            case 0 where !bytes.isEmpty:
                bytes[at] ^= UInt8(1 << (rng.next() % 8))
            case 1 where !bytes.isEmpty:
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 2:
                bytes.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
            case 3 where !bytes.isEmpty:
                let length = min(bytes.count - at, 1 + Int(rng.next() % 16))
                bytes.removeSubrange(at..<at + length)
            case 4:
                // Splice: a slice of another valid definition replaces the tail or a middle part.
                let donor = donors[Int(rng.next() % UInt64(donors.count))]
                let from = Int(rng.next() % UInt64(donor.count))
                let length = min(donor.count - from, Int(rng.next() % 64))
                let end = min(bytes.count, at + Int(rng.next() % 32))
                bytes.replaceSubrange(at..<end, with: donor[from..<from + length])
            default:
                // Duplicate a slice, which repeats keys, jobs and brackets.
                guard !bytes.isEmpty else { continue }
                let length = min(bytes.count - at, 1 + Int(rng.next() % 48))
                bytes.insert(contentsOf: bytes[at..<at + length], at: at)
            }
        }
        return bytes
    }

    @Test func seedsAreValid() {
        for (index, seed) in Self.seeds.enumerated() {
            if case .failure(let report) = DefinitionLoader.load(bytes: Array(seed.utf8), path: "seed\(index).yaml") {
                Issue.record("seed \(index) is not valid: \(report.issues)")
            }
        }
    }

    @Test(arguments: 0..<4)
    func tenThousandMutationsNeverCrash(shard: Int) {
        let donors = Self.seeds.map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0x5EED_0000 + UInt64(shard))
        var refused = 0, accepted = 0
        // 4 shards × 2,600 = 10,400 mutations; the seed makes any failure reproducible.
        for round in 0..<2_600 {
            let seed = donors[Int(rng.next() % UInt64(donors.count))]
            let bytes = Self.mutate(seed, &rng, donors: donors)
            let paths: [String?] = ["f.yaml", "f.json", nil]
            let path = paths[round % 3]
            switch DefinitionLoader.load(bytes: bytes, path: path) {
            case .success(let definition):
                accepted += 1
                // What validation accepts must be a usable graph: names unique, dependencies known.
                let names = Set(definition.jobs.map(\.name))
                #expect(names.count == definition.jobs.count, "shard \(shard) round \(round)")
                #expect(definition.jobs.allSatisfy { $0.dependsOn.allSatisfy(names.contains) }, "shard \(shard) round \(round)")
            case .failure(let report):
                refused += 1
                #expect(!report.issues.isEmpty, "shard \(shard) round \(round): a refusal without an issue")
            }
        }
        #expect(refused > 0 && accepted > 0, "the mutations should produce both outcomes (\(refused) refused, \(accepted) accepted)")
    }
}
