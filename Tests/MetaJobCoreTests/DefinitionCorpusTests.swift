import Foundation
import Testing
@testable import MetaJobCore

/// The malformed-definition corpus (`Corpus/`): each file is named `<expected error type>.<case>.<ext>` and
/// must be refused with an issue of that type — never accepted, never a crash or a hang.
@Suite struct DefinitionCorpusTests {
    /// Every corpus file with the issue type its name promises.
    static func corpus() throws -> [(name: String, kind: ValidationIssue.Kind, bytes: [UInt8])] {
        let directory = try #require(Bundle.module.url(forResource: "Corpus", withExtension: nil))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { name in
            let prefix = String(name.prefix { $0 != "." })
            let kind = try #require(ValidationIssue.Kind(rawValue: prefix), "corpus file \(name) does not start with an issue type")
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            return (name, kind, [UInt8](data))
        }
    }

    @Test func corpusHasEveryKindAndAtLeastFortyFiles() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= 40)
        #expect(Set(corpus.map(\.kind)) == Set(ValidationIssue.Kind.allCases))
    }

    @Test func everyCorpusFileIsRefusedWithItsType() throws {
        for file in try Self.corpus() {
            switch DefinitionLoader.load(bytes: file.bytes, path: file.name) {
            case .success:
                Issue.record("\(file.name) was accepted")
            case .failure(let report):
                #expect(!report.issues.isEmpty, "\(file.name)")
                #expect(report.issues.contains { $0.kind == file.kind },
                        "\(file.name): expected a \(file.kind) issue, got \(report.issues.map { "\($0.kind): \($0.reason)" })")
                for issue in report.issues {
                    #expect(!issue.reason.isEmpty && !issue.countermeasure.isEmpty, "\(file.name): an issue without a reason or a fix")
                }
            }
        }
    }

    /// The same files without their extension hint: the loader's own sniffing must not change the verdict
    /// into an acceptance. (`{"jobs": [],}` is excluded: as YAML — what a file not named .json is — it
    /// is valid, an empty flow mapping entry list.)
    @Test func corpusFilesWithoutAPathAreStillRefused() throws {
        for file in try Self.corpus() where file.name != "syntax.trailing-comma.json" {
            if case .success = DefinitionLoader.load(bytes: file.bytes, path: nil) {
                Issue.record("\(file.name) was accepted without its file name")
            }
        }
    }

    @Test func deepBlockIndentationIsASyntaxError() {
        var text = ""
        for i in 0..<3_000 { text += String(repeating: " ", count: i) + "k\(i):\n" }
        #expect(Load.issues(text).first?.kind == .syntax)
    }

    /// 100 MB, generated here (not committed): a huge definition is read and refused like a small one.
    @Test func hundredMegabyteFileIsRefusedWithItsType() throws {
        let comment = Array("# padding padding padding padding padding padding padding padding padding\n".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(100 << 20 + 200)
        while bytes.count < 100 << 20 { bytes.append(contentsOf: comment) }
        bytes.append(contentsOf: Array("jobs:\n  - job_name: a\n    depends_on: [a]\n".utf8))
        #expect(bytes.count >= 100 << 20)
        let issues = Load.issues(bytes: bytes, path: "huge.yaml")
        #expect(issues.map(\.kind) == [.conflict])
        #expect((issues.first?.line ?? 0) > 1_000_000, "the issue points past the padding")
    }
}
