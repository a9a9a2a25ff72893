import Foundation
import MetaJobHistory
import Testing

/// Two runs of the real binary writing one history file while a `history logs --follow` tails each: no
/// "database is locked", no lost event or line.
@Suite("two runs and two followers on one history file")
struct HistoryConcurrencyTests {
    static func pipeline(_ name: String) -> String {
        """
        name: \(name)
        jobs:
          - job_name: ticker
            depends_on: []
            command: |
              i=1
              while [ $i -le 400 ]; do
                echo \(name)-$i
                if [ $((i % 50)) -eq 0 ]; then sleep 0.2; fi
                i=$((i + 1))
              done
          - job_name: burst
            depends_on: []
            command: yes \(name)-burst | head -n 20000
          - job_name: last
            depends_on: [ticker, burst]
            command: echo \(name)-done
        """
    }

    /// Runs `body` on another thread; the returned closure waits for its result.
    func background<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> () throws -> T {
        nonisolated(unsafe) var result: Result<T, Error>?
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            result = Result { try body() }
            group.leave()
        }
        return {
            group.wait()
            return try result!.get()
        }
    }

    @Test func twoRunsAndTwoFollowersShareOneFile() throws {
        let dir = try BinaryRunner.directory(["a.yaml": Self.pipeline("alpha"), "b.yaml": Self.pipeline("beta")])
        let history = dir + "/history.sqlite"
        let runs = ["alpha": "a.yaml", "beta": "b.yaml"].map { name, file in
            (name, background { try BinaryRunner.run(["run", file, "--no-tui", "--history", history], in: dir) })
        }
        var followers: [(String, () throws -> BinaryRunner.Result)] = []
        for name in ["alpha", "beta"] {
            var id = ""
            let listed = try ProcessProbe.eventually {
                let list = try BinaryRunner.run(["history", "list", "--json", "--meta-job", name, "--history", history], in: dir)
                #expect(!list.stderr.contains("locked"), "\(list.stderr)")
                guard let rows = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]],
                      let run = rows.first?["run_id"] as? String else { return false }
                id = run
                return true
            }
            #expect(listed, "run \(name) never appeared in the history")
            let runId = id
            followers.append((name, background {
                try BinaryRunner.run(["history", "logs", runId, "ticker", "--follow", "--history", history], in: dir)
            }))
        }
        for (name, wait) in runs {
            let r = try wait()
            #expect(r.exitCode == 0, "run \(name): \(r.stderr)")
            #expect(!r.stderr.contains("locked") && !r.stderr.contains("warning"), "run \(name): \(r.stderr)")
        }
        for (name, wait) in followers {
            let r = try wait()
            #expect(r.exitCode == 0, "follower of \(name): \(r.stderr)")
            #expect(!r.stderr.contains("locked"), "follower of \(name): \(r.stderr)")
            #expect(r.stdoutLines == (1...400).map { "\(name)-\($0)" }, "follower of \(name): every line once, in order")
        }
        let store = try HistoryStore(path: history)
        for name in ["alpha", "beta"] {
            let summary = try #require(try store.listRuns(limit: 10, metaJob: name).first)
            let detail = try store.run(summary.runId)
            #expect(detail.summary.state == .succeeded)
            #expect(detail.jobs.map(\.state).allSatisfy { $0 == "succeeded" })
            #expect(detail.jobs.allSatisfy { $0.events.count >= 2 }, "every job has its state changes recorded")
            #expect(try store.logs(runId: summary.runId, job: "burst", attempt: nil).count == 20_000)
            #expect(try store.logs(runId: summary.runId, job: "ticker", attempt: nil).map(\.bytes)
                == (1...400).map { Array("\(name)-\($0)".utf8) })
            // Every event of every job: sequence numbers of the stored lines have no duplicates.
            let sequences = try store.logs(runId: summary.runId, job: "burst", attempt: nil).map(\.sequence)
            #expect(Set(sequences).count == sequences.count)
        }
        #expect(try store.integrityCheck())
    }
}
