import Foundation
import MetaJobCore

/// Consecutive output lines of one job attempt and stream, stored as one row.
///
/// A row per line costs SQLite a few microseconds each — 30 s for the 10 million lines of a 1 GB log — so
/// lines are packed: for each line its sequence (Int64), time (Double bits) and length (UInt32), little
/// endian, then its bytes exactly as written.
struct LogChunk {
    var job: Int
    var attempt: Int
    /// 1 stdout, 2 stderr (as in the schema).
    var stream: Int
    var firstSequence: Int64 = 0
    var lastSequence: Int64 = 0
    var lineCount = 0
    /// The lines' own bytes, without framing: what the recorder's memory bound counts.
    var lineBytes = 0
    var payload: [UInt8] = []

    init(job: Int, attempt: Int, stream: Int) {
        self.job = job
        self.attempt = attempt
        self.stream = stream
    }

    /// Appends one line.
    mutating func append(sequence: Int64, time: Double, line: ArraySlice<UInt8>) {
        if lineCount == 0 { firstSequence = sequence }
        lastSequence = sequence
        lineCount += 1
        lineBytes += line.count
        // Three fixed-width little-endian fields, appended as whole words (a byte loop cost more than the line).
        var header: (UInt64, UInt64, UInt32) = (UInt64(bitPattern: sequence).littleEndian, time.bitPattern.littleEndian,
                                                UInt32(truncatingIfNeeded: line.count).littleEndian)
        withUnsafeBytes(of: &header) { raw in
            payload.append(contentsOf: raw[0..<8])
            payload.append(contentsOf: raw[8..<16])
            payload.append(contentsOf: raw[16..<20])
        }
        payload.append(contentsOf: line)
    }

    /// The lines of a stored payload with a sequence above `after`.
    static func decode(_ payload: Data, attempt: Int, stream: LogStream, after: Int64, into lines: inout [StoredLogLine]) {
        payload.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset + 20 <= raw.count {
                let sequence = Int64(bitPattern: read(raw, offset, 8))
                let time = Double(bitPattern: read(raw, offset + 8, 8))
                let length = Int(read(raw, offset + 16, 4))
                let start = offset + 20
                guard start + length <= raw.count else { return }  // a torn payload: keep what is whole
                if sequence > after {
                    lines.append(StoredLogLine(sequence: sequence, time: time, attempt: attempt, stream: stream,
                                               bytes: Array(raw[start..<(start + length)])))
                }
                offset = start + length
            }
        }
    }

    private static func read(_ raw: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(raw[offset + i]) << (8 * UInt64(i)) }
        return value
    }
}
