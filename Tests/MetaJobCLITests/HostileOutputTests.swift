import Foundation
import MetaJobHistory
import Testing

/// Jobs whose output attacks the terminal or the runner's memory: headless output shows it neutralised,
/// the history keeps every byte, metajob's memory stays bounded.
@Suite("hostile job output")
struct HostileOutputTests {
    /// Terminal attacks in one script: clear screen and cursor moves, an OSC title and an OSC 52 clipboard
    /// write, C0 controls with NUL, DEL, invalid UTF-8 (a lone byte, an overlong, a surrogate) and a C1 CSI.
    static let script = #"""
        printf 'clear\033[2J\033[H\033[10;20Hcursor\033[?1049h\n'
        printf 'title\033]0;owned\007 clip\033]52;c;aGVsbG8=\007 st\033]2;x\033\\\n'
        printf 'nul\000bell\007bs\010del\177cr\rvt\013ff\014end\n'
        printf 'bad\377\376utf8\300\257\355\240\200\n'
        printf 'c1\302\233 31m csi\302\235 osc\n'
        printf 'tail without newline\033c'
        """#

    /// Exactly the bytes the script writes.
    static let expected: [UInt8] = Array("clear\u{1B}[2J\u{1B}[H\u{1B}[10;20Hcursor\u{1B}[?1049h\n".utf8)
        + Array("title\u{1B}]0;owned\u{07} clip\u{1B}]52;c;aGVsbG8=\u{07} st\u{1B}]2;x\u{1B}\\\n".utf8)
        + Array("nul\u{00}bell\u{07}bs\u{08}del\u{7F}cr\rvt\u{0B}ff\u{0C}end\n".utf8)
        + Array("bad".utf8) + [0xFF, 0xFE] + Array("utf8".utf8) + [0xC0, 0xAF, 0xED, 0xA0, 0x80, 0x0A]
        + Array("c1".utf8) + [0xC2, 0x9B] + Array(" 31m csi".utf8) + [0xC2, 0x9D] + Array(" osc\n".utf8)
        + Array("tail without newline\u{1B}c".utf8)

    static let pipeline = """
        jobs:
          - job_name: hostile
            depends_on: []
            command: sh ./hostile.sh
        """

    /// The first C0 control (other than newline), DEL or C1 control (as UTF-8) in `bytes`, if any.
    static func firstControl(_ bytes: [UInt8]) -> Int? {
        for (i, b) in bytes.enumerated() {
            if (b < 0x20 && b != 0x0A) || b == 0x7F { return i }
            if b == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]) { return i }
        }
        return nil
    }

    /// The stored lines of `job`'s last attempt in the newest run of `history`.
    static func stored(_ history: String, job: String) throws -> [[UInt8]] {
        let store = try HistoryStore(path: history)
        let run = try #require(try store.listRuns(limit: 1).first)
        return try store.logs(runId: run.runId, job: job, attempt: nil).map(\.bytes)
    }

    @Test(arguments: ["plain", "json"])
    func terminalAttacksAreNeutralisedInOutputAndKeptExactlyInHistory(format: String) throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline, "hostile.sh": Self.script])
        let history = dir + "/history.sqlite"
        let out = try BinaryRunner.runRaw(["run", "p.yaml", "--no-tui", "--logs", "--output", format, "--history", history], in: dir)
        #expect(!out.isEmpty)
        if let at = Self.firstControl(out) {
            Issue.record("raw control byte 0x\(String(out[at], radix: 16)) at \(at) in the \(format) output: \(String(decoding: out[max(0, at - 40)..<min(out.count, at + 40)], as: UTF8.self))")
        }
        #expect(String(validating: out, as: UTF8.self) != nil, "the \(format) output is not valid UTF-8")
        if format == "json" {
            for line in out.split(separator: 0x0A) {
                #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil, "not JSON: \(String(decoding: line, as: UTF8.self))")
            }
        } else {
            // Neutralised, not dropped: the escapes are shown as text.
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.contains("clear") && text.contains("cursor") && text.contains("clip"))
        }
        // The history: every line's bytes exactly, newlines between them, the unterminated tail last.
        let lines = try Self.stored(history, job: "hostile")
        #expect(Array(lines.joined(separator: [0x0A])) == Self.expected)
    }

    /// Runs a one-job meta job with `command`, recorded, and returns metajob's peak RSS in KB and the
    /// history file.
    static func measuredRun(_ command: String) throws -> (rssKB: Int, history: String) {
        let pipeline = "jobs:\n  - job_name: j\n    depends_on: []\n    command: \(command)\n"
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        let history = dir + "/history.sqlite"
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir,
                                     environment: ["METAJOB_RESOURCE_REPORT": "1"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        // "metajob resources: user …s sys …s max_rss NKB; …"
        let report = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("metajob resources:") })
        let rssText = report.components(separatedBy: "max_rss ").last?.prefix { $0.isNumber }
        return (try #require(rssText.flatMap { Int($0) }, "no max_rss in \(report)"), history)
    }

    /// 50 MB without a newline: every byte in the history (in pieces of at most 1 MiB), metajob's peak RSS
    /// far below the line's size times the copies an unbounded reader would make.
    @Test func fiftyMegabyteLineKeepsMemoryBoundedAndEveryByte() throws {
        let run = try Self.measuredRun(#"head -c 52428800 /dev/zero | tr '\0' x"#)
        #expect(run.rssKB < 200 * 1024, "metajob's peak RSS was \(run.rssKB / 1024) MB for a 50 MB line")
        let huge = try Self.stored(run.history, job: "j")
        #expect(huge.reduce(0) { $0 + $1.count } == 52_428_800)
        #expect(huge.allSatisfy { piece in piece.allSatisfy { $0 == UInt8(ascii: "x") } })
        #expect(huge.allSatisfy { $0.count <= 1 << 20 }, "a line is stored in pieces of at most 1 MiB")
        // `history logs` into a pipe gives back exactly the 50 MB written: no newline between the pieces or after.
        let store = try HistoryStore(path: run.history)
        let runId = try #require(try store.listRuns(limit: 1).first).runId
        let out = try BinaryRunner.runRaw(["history", "logs", runId, "j", "--history", run.history], in: NSTemporaryDirectory())
        let exact = out.count == 52_428_800 && out.allSatisfy { $0 == UInt8(ascii: "x") }
        #expect(exact, "history logs gave \(out.count) bytes, \(out.filter { $0 == 0x0A }.count) newlines")
    }

    /// Lines with and without a final newline, and a long line between them, come back byte for byte.
    @Test func historyLogsGivesBackTheBytesExactly() throws {
        let script = "printf 'first\\n'; head -c 3000000 /dev/zero | tr '\\0' y; printf '\\nlast, no newline'"
        let pipeline = "jobs:\n  - job_name: j\n    depends_on: []\n    command: sh ./w.sh\n"
        let dir = try BinaryRunner.directory(["p.yaml": pipeline, "w.sh": script])
        let history = dir + "/history.sqlite"
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let runId = try #require(try HistoryStore(path: history).listRuns(limit: 1).first).runId
        let out = try BinaryRunner.runRaw(["history", "logs", runId, "j", "--history", history], in: dir)
        let expected = Array("first\n".utf8) + [UInt8](repeating: UInt8(ascii: "y"), count: 3_000_000) + Array("\nlast, no newline".utf8)
        let exact = out == expected
        #expect(exact, "got \(out.count) bytes, expected \(expected.count); ends with \(String(decoding: out.suffix(20), as: UTF8.self).debugDescription)")
    }

    /// 2,000,000 lines as fast as `yes` writes them (well over a million a second): all recorded, in
    /// bounded memory.
    @Test func floodOfLinesKeepsMemoryBoundedAndEveryLine() throws {
        let run = try Self.measuredRun("yes flood | head -n 2000000")
        #expect(run.rssKB < 200 * 1024, "metajob's peak RSS was \(run.rssKB / 1024) MB for 2M lines")
        let flood = try Self.stored(run.history, job: "j")
        #expect(flood.count == 2_000_000)
        #expect(flood.allSatisfy { $0 == Array("flood".utf8) })
    }
}
