import Foundation
import Testing

/// Compares rendered text with a file under `Snapshots/`; `METAJOB_RECORD_SNAPSHOTS=1` writes the files instead.
enum SnapshotFile {
    static func check(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation,
                      file: String = #filePath) {
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Snapshots")
        let url = directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["METAJOB_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try! (text + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("no snapshot \(name).txt: run with METAJOB_RECORD_SNAPSHOTS=1 to record it", sourceLocation: sourceLocation)
            return
        }
        #expect(text + "\n" == expected, "snapshot \(name) differs (METAJOB_RECORD_SNAPSHOTS=1 re-records)", sourceLocation: sourceLocation)
    }
}
