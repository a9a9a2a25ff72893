import Foundation

/// Frames to NDJSON lines and back (the JSON of `--output json`: one object per line, no pretty printing).
public enum FrameCodec {
    /// `frame` as one line, newline included.
    public static func encode<Frame: Encodable>(_ frame: Frame) -> [UInt8] {
        // Our frames hold only strings, numbers and arrays: encoding them cannot fail.
        var bytes = [UInt8]((try? JSONEncoder().encode(frame)) ?? Data("{}".utf8))
        bytes.append(0x0A)
        return bytes
    }

    /// One line (without its newline) as a frame; nil when it is not one.
    public static func decode<Frame: Decodable>(_ type: Frame.Type, _ line: [UInt8]) -> Frame? {
        try? JSONDecoder().decode(type, from: Data(line))
    }
}
