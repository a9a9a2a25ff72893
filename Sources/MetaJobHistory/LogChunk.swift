import Foundation
import MetaJobCore

/// Consecutive output lines of one job attempt and stream, stored as one row of `log_chunks`.
///
/// Two payload formats. Format 1 (schema v3, read only): the payload column holds, for each line, its
/// sequence (Int64), time (Double bits) and length (UInt32), little endian, then its bytes. Format 2 (what is
/// written now): the bytes live in the run's append-only log file (see `HistoryStore.logFilePath`), the row
/// holds where; they are segments, one per log event: first sequence (Int64), time (Double bits), line count
/// (UInt32), byte count (UInt32), each line's end offset in the segment's bytes (UInt32 each; bit 31 set when no
/// newline followed the line — segments stay far below 2 GiB), then the lines' bytes back to back, exactly as
/// written. A segment is the `LogLines` of an event copied whole: no work per
/// line on the way to the disk.
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
    /// Wall times of the first and last lines (what a warning names when the chunk could not be written).
    var firstTime: Double = 0
    var lastTime: Double = 0
    /// Format-2 segments.
    var payload: [UInt8] = []
    /// Where `payload` went in the run's log file once written, so a batch retried after a locked database
    /// does not write its bytes twice.
    var fileOffset: Int64?

    static let segmentHeaderSize = 24
    /// Set in a line's end offset when no newline followed the line.
    static let unterminatedBit: UInt32 = 1 << 31

    init(job: Int, attempt: Int, stream: Int) {
        self.job = job
        self.attempt = attempt
        self.stream = stream
    }

    /// Appends the lines of one log event (sequences `firstSequence`, `firstSequence + 1`, …) as a segment.
    mutating func append(firstSequence: Int64, time: Double, lines: LogLines) {
        guard !lines.isEmpty else { return }
        if lineCount == 0 { self.firstSequence = firstSequence; firstTime = time }
        lastTime = time
        lastSequence = firstSequence + Int64(lines.count) - 1
        lineCount += lines.count
        lineBytes += lines.byteCount
        let start = payload.count
        let size = LogChunk.segmentHeaderSize + 4 * lines.count + lines.byteCount
        if payload.capacity < start + size { payload.reserveCapacity(max(start + size, 2 * payload.capacity)) }
        payload.append(contentsOf: repeatElement(0, count: LogChunk.segmentHeaderSize + 4 * lines.count))
        payload.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(bitPattern: firstSequence).littleEndian, toByteOffset: start, as: UInt64.self)
            raw.storeBytes(of: time.bitPattern.littleEndian, toByteOffset: start + 8, as: UInt64.self)
            raw.storeBytes(of: UInt32(truncatingIfNeeded: lines.count).littleEndian, toByteOffset: start + 16, as: UInt32.self)
            raw.storeBytes(of: UInt32(truncatingIfNeeded: lines.byteCount).littleEndian, toByteOffset: start + 20,
                           as: UInt32.self)
            var offset = start + LogChunk.segmentHeaderSize
            for end in lines.ends {
                raw.storeBytes(of: UInt32(truncatingIfNeeded: end).littleEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
            }
            for i in lines.unterminated {
                let at = start + LogChunk.segmentHeaderSize + 4 * i
                let end = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
                raw.storeBytes(of: (end | LogChunk.unterminatedBit).littleEndian, toByteOffset: at, as: UInt32.self)
            }
        }
        payload.append(contentsOf: lines.bytes)
    }

    /// The lines of a format-1 payload with a sequence above `after`.
    static func decode(_ payload: Data, attempt: Int, stream: LogStream, after: Int64, into lines: inout [StoredLogLine]) {
        payload.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset + 20 <= raw.count {
                let sequence = Int64(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                let time = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self)))
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

    /// A segment header that cannot be right: where it starts in the chunk, and why.
    struct Damage: Error {
        var offset: Int
        var reason: String
    }

    /// The lines of format-2 segments with a sequence above `after`. Throws `Damage` for a header no recorder
    /// writes (sequences below 1 or past the largest, more bytes than the chunk holds): the bytes were damaged.
    static func decodeSegments(_ raw: UnsafeRawBufferPointer, attempt: Int, stream: LogStream, after: Int64,
                               into lines: inout [StoredLogLine]) throws(Damage) {
        var offset = 0
        while offset + segmentHeaderSize <= raw.count {
            let first = Int64(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            let time = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
            let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self)))
            let byteCount = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 20, as: UInt32.self)))
            let endsStart = offset + segmentHeaderSize
            let bytesStart = endsStart + 4 * count
            guard first >= 1, first <= Int64.max - Int64(count) else {
                throw Damage(offset: offset, reason: "its header gives the first line the sequence number \(first)")
            }
            guard bytesStart + byteCount <= raw.count else {
                throw Damage(offset: offset, reason: "its header says \(count) lines of \(byteCount) bytes, more than "
                    + "the \(raw.count - offset) bytes recorded for it")
            }
            var lineStart = 0
            for i in 0..<count {
                let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: endsStart + 4 * i, as: UInt32.self))
                let end = min(byteCount, Int(stored & ~unterminatedBit))
                let sequence = first + Int64(i)
                if sequence > after, end >= lineStart {
                    lines.append(StoredLogLine(sequence: sequence, time: time, attempt: attempt, stream: stream,
                                               bytes: Array(raw[(bytesStart + lineStart)..<(bytesStart + end)]),
                                               terminated: stored & unterminatedBit == 0))
                }
                lineStart = max(lineStart, end)
            }
            offset = bytesStart + byteCount
        }
    }
}
