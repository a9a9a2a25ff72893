import Foundation
import Testing

/// The malformed-definition corpus of MetaJobCoreTests through the real binary: every file exits 2 with an
/// error of the type its name promises, `run` starts nothing, and a 100 MB file is refused in bounded memory.
@Suite("bad definitions through the binary")
struct BadDefinitionCLITests {
    /// `Tests/MetaJobCoreTests/Corpus`, found from this source file (the corpus is the other target's resource).
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MetaJobCoreTests/Corpus").path

    static func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
    }

    @Test func everyCorpusFileExits2WithItsErrorType() throws {
        let files = try Self.files()
        #expect(files.count >= 40)
        for name in files {
            let expected = String(name.prefix { $0 != "." })
            let r = try BinaryRunner.run(["validate", Self.corpus + "/" + name, "--output", "json"])
            #expect(r.exitCode == 2, "\(name): exit \(r.exitCode), \(r.stderr)")
            let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let types = (object?["errors"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types.contains(expected), "\(name): expected a \(expected) error, got \(types) \(r.stdout)")
        }
    }

    /// A representative subset through `run`: exit 2, the error on stderr with its fix, and no job started.
    @Test(arguments: ["type.job-not-a-mapping.yaml", "permission.job-key.yaml", "requirement.unknown-dependency.yaml",
                      "conflict.cycle-of-4.yaml", "syntax.alias-bomb.yaml", "syntax.invalid-utf8.yaml",
                      "syntax.binary-garbage.bin", "type.empty-file.yaml"])
    func runRefusesBeforeStartingAnything(file: String) throws {
        let dir = try BinaryRunner.directory([:])
        let r = try BinaryRunner.run(["run", Self.corpus + "/" + file, "--no-tui", "--history", dir + "/h.sqlite"], in: dir)
        #expect(r.exitCode == 2, "\(file): \(r.stderr)")
        #expect(!r.stderr.isEmpty, "\(file): no error message")
        #expect(!r.stdout.contains("running"), "\(file): something started: \(r.stdout)")
        var recorded = "[]"
        if FileManager.default.fileExists(atPath: dir + "/h.sqlite") {
            recorded = try BinaryRunner.run(["history", "list", "--json", "--history", dir + "/h.sqlite"], in: dir)
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(recorded == "[]", "\(file): a run was recorded")
    }

    /// Spawns the binary with stdout and stderr to files and returns its exit code and peak RSS (KB), from wait4.
    static func measured(_ args: [String], in dir: String) throws -> (exit: Int32, maxRSSKB: Int, stderr: String) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, dir + "/measured.out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, dir + "/measured.err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([BinaryRunner.binary.path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = BinaryRunner.testEnvironment().map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, BinaryRunner.binary.path, &actions, nil, argv, env)
        try #require(rc == 0, "posix_spawn: \(rc)")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let stderr = (try? String(contentsOfFile: dir + "/measured.err", encoding: .utf8)) ?? ""
        return ((status >> 8) & 0xFF, Int(usage.ru_maxrss), stderr)
    }

    /// 100 MB (generated here, not committed), refused for a cycle at its very end.
    @Test func hundredMegabyteFileExits2InBoundedMemory() throws {
        let dir = try BinaryRunner.directory([:])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/huge.yaml"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let block = Data(String(repeating: "# padding padding padding padding padding padding padding padding\n", count: 16_384).utf8)
        var written = 0
        while written < 100 << 20 {
            handle.write(block)
            written += block.count
        }
        handle.write(Data("jobs:\n  - job_name: a\n    depends_on: [b]\n  - job_name: b\n    depends_on: [a]\n".utf8))
        try handle.close()

        let r = try Self.measured(["validate", path], in: dir)
        #expect(r.exit == 2, "\(r.stderr.prefix(500))")
        #expect(r.stderr.contains("conflict") && r.stderr.contains("cycle"), "\(r.stderr.prefix(500))")
        // The file's bytes are held a few times over while parsing; 1 GB would mean something unbounded.
        #expect(r.maxRSSKB < 1_000 * 1024, "peak RSS \(r.maxRSSKB / 1024) MB for a 100 MB definition")
    }
}
