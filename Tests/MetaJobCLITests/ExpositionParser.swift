/// Reads Prometheus' text exposition format strictly enough for the tests: every sample's family has its
/// HELP and TYPE first, label values are unescaped (`\\`, `\"`, `\n`), anything else is an error.
struct ExpositionParser {
    /// One sample line.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// What is wrong with the text, and on which line.
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var why: String
        var description: String { "line \(line): \(why)" }
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]
    private(set) var helps: [String: String] = [:]

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Failure(line: 0, why: "the text does not end with a newline") }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, Self.isName(parts[0]) else { throw Failure(line: number, why: "bad comment \(line)") }
                if line.hasPrefix("# HELP ") {
                    guard helps[parts[0]] == nil else { throw Failure(line: number, why: "second HELP for \(parts[0])") }
                    helps[parts[0]] = parts[1]
                } else {
                    guard types[parts[0]] == nil, ["counter", "gauge", "untyped", "histogram", "summary"].contains(parts[1]) else {
                        throw Failure(line: number, why: "bad or second TYPE for \(parts[0])")
                    }
                    guard !samples.contains(where: { $0.name == parts[0] }) else {
                        throw Failure(line: number, why: "TYPE for \(parts[0]) after its samples")
                    }
                    types[parts[0]] = parts[1]
                }
                continue
            }
            guard !line.hasPrefix("#"), !line.isEmpty else { throw Failure(line: number, why: "unexpected line \(line)") }
            let sample = try Self.sample(Array(line.unicodeScalars), line: number)
            guard types[sample.name] != nil, helps[sample.name] != nil else {
                throw Failure(line: number, why: "\(sample.name) has no HELP or TYPE before it")
            }
            if types[sample.name] == "counter" && !sample.name.hasSuffix("_total") {
                throw Failure(line: number, why: "counter \(sample.name) does not end in _total")
            }
            samples.append(sample)
        }
    }

    /// The value of the sample `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || first.properties.isAlphabetic && first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    private static func sample(_ s: [Unicode.Scalar], line: Int) throws -> Sample {
        var i = 0
        var name = ""
        while i < s.count, s[i] != "{", s[i] != " " { name.unicodeScalars.append(s[i]); i += 1 }
        guard isName(name) else { throw Failure(line: line, why: "bad metric name \(name)") }
        var labels: [String: String] = [:]
        if i < s.count, s[i] == "{" {
            i += 1
            while i < s.count, s[i] != "}" {
                var key = ""
                while i < s.count, s[i] != "=" { key.unicodeScalars.append(s[i]); i += 1 }
                guard isName(key), i + 1 < s.count, s[i + 1] == "\"" else { throw Failure(line: line, why: "bad label \(key)") }
                i += 2
                var value = ""
                while i < s.count, s[i] != "\"" {
                    if s[i] == "\\" {
                        guard i + 1 < s.count else { throw Failure(line: line, why: "dangling backslash") }
                        switch s[i + 1] {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: throw Failure(line: line, why: "bad escape \\\(s[i + 1])")
                        }
                        i += 2
                    } else {
                        value.unicodeScalars.append(s[i]); i += 1
                    }
                }
                guard i < s.count else { throw Failure(line: line, why: "unterminated label value") }
                i += 1
                guard labels[key] == nil else { throw Failure(line: line, why: "label \(key) twice") }
                labels[key] = value
                if i < s.count, s[i] == "," { i += 1 }
            }
            guard i < s.count else { throw Failure(line: line, why: "unterminated labels") }
            i += 1
        }
        guard i < s.count, s[i] == " " else { throw Failure(line: line, why: "no value") }
        var text = ""
        for c in s[(i + 1)...] { text.unicodeScalars.append(c) }
        let value: Double? = text == "+Inf" ? .infinity : text == "-Inf" ? -.infinity : text == "NaN" ? .nan : Double(text)
        guard let value else { throw Failure(line: line, why: "bad value \(text)") }
        return Sample(name: name, labels: labels, value: value)
    }
}
