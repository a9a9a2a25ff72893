import Foundation
import MetaJobCore
import Testing

/// The byte-level JSON writers (string escaping, base64, nested objects) give exactly what the rules say: the
/// escapes of a scalar-at-a-time reference, text any JSON parser reads back to the same string, Foundation's base64.
struct JSONByteWriterTests {
    /// The escaping rules a scalar at a time, as `JSONValue.writeString` did before it worked on bytes.
    static func reference(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || v == 0x2028 || v == 0x2029 {
                    let hex = String(v, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Scalars around every boundary the byte writer looks at (one-, two- and three-byte forms next to the
    /// escaped ones), and four-byte ones.
    static let alphabet: [Unicode.Scalar] = [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x22, 0x2F, 0x41, 0x5C, 0x7E, 0x7F,
                                             0x80, 0x85, 0x9F, 0xA0, 0xFF, 0x100, 0x7FF, 0x800, 0x2027, 0x2028, 0x2029,
                                             0x202A, 0x20A8, 0xFEFF, 0xFFFD, 0x1F680, 0x10FFFF].map { Unicode.Scalar($0)! }

    @Test func escapingMatchesTheReferenceAndParsesBack() throws {
        var rng = SplitMix64(seed: 1243)
        var cases = Self.alphabet.map { String(Character($0)) }
        for _ in 0 ..< 2_000 {
            var s = String.UnicodeScalarView()
            for _ in 0 ..< Int(rng.next() % 12) { s.append(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]) }
            cases.append(String(s))
        }
        for s in cases {
            var bytes: [UInt8] = []
            JSONValue.writeString(s, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Self.reference(s), "\(Array(s.unicodeScalars))")
            var text = ""
            JSONValue.writeString(s, into: &text)
            #expect(Array(text.utf8) == bytes, "the String form is the same bytes")
            // Foundation's parser drops U+FEFF wherever it is; the reference above covers those strings.
            guard !s.unicodeScalars.contains("\u{FEFF}") else { continue }
            let parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
            #expect(parsed == s)
        }
    }

    @Test func base64IsFoundations() {
        var rng = SplitMix64(seed: 7)
        for length in 0 ..< 200 {
            let bytes = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString(), "\(length) bytes")
            var out: [UInt8] = [0x7B]
            Base64.append(bytes, to: &out)
            #expect(out == [0x7B] + Array(Data(bytes).base64EncodedString().utf8), "appended after what was there")
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        for bad in ["Z", "Zm9vY", "Zm9v!", "Zg===", "=Zg", "Zg=a", "Zm 9v", "====", "Zm9v\u{0}"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
        #expect(Base64.decode("Zm9v") == Array("foo".utf8))
        #expect(Base64.decode("Zm8") == Array("fo".utf8))
        #expect(Base64.decode("Zm8=") == Array("fo".utf8))
    }

    @Test func objectsNestInPlaceAndFinishClosesWhatIsOpen() throws {
        var w = JSONObjectWriter()
        w.int("a", -3)
        w.open("b")
        w.emptyObject("c")
        w.open("d")
        w.ints("e", [1, -2, 3])
        w.close()
        w.base64("f", Array("hi!".utf8))
        w.close()
        w.open("g")
        w.string("h", "x\"y")
        #expect(w.finish() == #"{"a":-3,"b":{"c":{},"d":{"e":[1,-2,3]},"f":"aGkh"},"g":{"h":"x\"y"}}"#)
        var empty = JSONObjectWriter()
        #expect(empty.finishBytes() == Array("{}".utf8))
        var arrays = JSONObjectWriter()
        arrays.openArray("a")
        arrays.openElement()
        arrays.int("x", 1)
        arrays.strings("s", ["q\"", ""])
        arrays.close()
        arrays.openElement()
        arrays.close()
        arrays.close()
        arrays.openArray("none")
        arrays.close()
        arrays.openArray("open")
        arrays.openElement()
        arrays.bool("t", true)
        #expect(arrays.finish() == #"{"a":[{"x":1,"s":["q\"",""]},{}],"none":[],"open":[{"t":true}]}"#)
    }
}
