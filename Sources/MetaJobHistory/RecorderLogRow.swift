/// One output line waiting for the writer.
struct LogRow {
    var sequence: Int64
    var job: Int
    var attempt: Int
    var stream: Int
    var time: Double
    var bytes: [UInt8]
}
