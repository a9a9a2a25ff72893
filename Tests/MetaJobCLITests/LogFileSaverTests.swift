import Foundation
import Testing
import MetaJobHistory
@testable import MetaJobCLI

/// The dashboard's `s`: one attempt's log written to a file with exactly the bytes the job wrote, hostile ones
/// included, never over an existing file.
@Suite("saving a log from the history")
struct LogFileSaverTests {
    /// What the job writes to stdout: screen-clearing and clipboard-setting escapes, an invalid UTF-8 byte, a
    /// carriage return, an empty line and a last line without a newline.
    static let written: [UInt8] = Array("\u{1B}[2J\u{1B}]52;c;ZXZpbA==\u{07}clear\n".utf8) + [0xFF, 0x0D] + Array("\n\nlast \u{1B}[31mred".utf8)

    /// printf's escapes for `written`.
    static let printf = #"printf '\033[2J\033]52;c;ZXZpbA==\007clear\n\377\r\n\nlast \033[31mred'"#

    @Test func theSavedFileHoldsTheExactBytesAndIsNeverOverwritten() throws {
        let pipeline = "name: keep\njobs:\n  - job_name: hostile\n    depends_on: []\n    command: sh ./w.sh\n"
        let dir = try BinaryRunner.directory(["p.yaml": pipeline, "w.sh": Self.printf + "\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/history.sqlite"
        let run = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let store = try HistoryStore(path: history)
        let runId = try #require(try store.listRuns(limit: 1).first).runId

        let path = dir + "/saved.log"
        let saved = try LogFileSaver.save(store: store, runId: runId, job: "hostile", attempt: 1, path: path)
        #expect(saved.path == path && saved.bytes == Self.written.count)
        let back = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(back == Self.written, "got \(back.map { String($0, radix: 16) })")
        // The same bytes `history logs` gives when piped.
        #expect(try BinaryRunner.runRaw(["history", "logs", runId, "hostile", "--history", history], in: dir) == Self.written)

        // An existing file is left alone, with a message that says what to do.
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/taken.log"))
        #expect {
            _ = try LogFileSaver.save(store: store, runId: runId, job: "hostile", attempt: 1, path: dir + "/taken.log")
        } throws: { error in
            (error as? LogFileSaver.Problem)?.description.contains("it exists (nothing is overwritten)") == true
        }
        #expect(try String(contentsOfFile: dir + "/taken.log", encoding: .utf8) == "mine")
        // A job that is not in the run leaves no empty file behind.
        #expect(throws: (any Error).self) {
            _ = try LogFileSaver.save(store: store, runId: runId, job: "nope", attempt: 1, path: dir + "/nope.log")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/nope.log"))
    }
}
