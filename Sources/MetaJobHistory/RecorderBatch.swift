import MetaJobCore

/// Rows waiting for the writer.
struct Batch {
    var events: [EventRow] = []
    /// Output lines, one chunk per job attempt and stream that wrote since the last write.
    var chunks: [LogChunk] = []
    /// Where each (job, attempt, stream) chunk of this batch is in `chunks`.
    var chunkIndex: [ChunkKey: Int] = [:]
    /// Output lines waiting, for the batch-size trigger.
    var lineCount = 0
    /// The chunk the previous line went to: consecutive lines usually share it, and this skips the hashing.
    private var lastKey: ChunkKey?
    private var lastIndex = 0
    /// The run's latest state change in this batch (finished or reopened).
    var runState: (StoredRunState, Double?)?
    /// This batch ends the recording: it writes the run's end and what could not be written (`gaps`).
    var final = false
    var gaps: [String] = []

    /// Identifies the chunk a line goes to.
    struct ChunkKey: Hashable {
        var job: Int
        var attempt: Int
        var stream: Int
    }

    /// Forgets where chunks are (after `chunks` was rebuilt): later lines start new chunks.
    mutating func forgetChunkPositions() {
        chunkIndex = [:]
        lastKey = nil
    }

    /// Adds an event's lines to their chunk.
    mutating func append(job: Int, attempt: Int, stream: Int, firstSequence: Int64, time: Double, lines: LogLines) {
        let key = ChunkKey(job: job, attempt: attempt, stream: stream)
        let index: Int
        if key == lastKey {
            index = lastIndex
        } else if let known = chunkIndex[key] {
            index = known
        } else {
            index = chunks.count
            chunks.append(LogChunk(job: job, attempt: attempt, stream: stream))
            chunkIndex[key] = index
        }
        lastKey = key
        lastIndex = index
        chunks[index].append(firstSequence: firstSequence, time: time, lines: lines)
        lineCount += lines.count
    }
}
