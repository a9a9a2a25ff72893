import Testing
@testable import MetaJobCore

@Suite struct DefinitionSyntaxTests {
    @Test func malformedYAML() {
        let issues = Load.issues("""
            jobs:
              - job_name: a
                depends_on: [b
              - job_name: c
            """)
        #expect(issues.count == 1)
        #expect(issues[0].kind == .syntax)
        #expect(issues[0].reason.hasPrefix("The definition is not valid YAML:"))
        #expect(issues[0].line == 4)
        #expect(issues[0].column != nil)
    }

    @Test func malformedYAMLIndentation() {
        let issues = Load.issues("jobs:\n  - job_name: a\n depends_on: []\n")
        #expect(issues.map(\.kind) == [.syntax])
        #expect(issues[0].line == 3)
    }

    @Test func malformedJSON() {
        let issues = Load.issues("{\n  \"jobs\": [\n    {\"job_name\": \"a\",}\n  ]\n}", path: "x.json")
        #expect(issues.count == 1)
        #expect(issues[0].kind == .syntax)
        #expect(issues[0].line == 3)
        #expect(issues[0].column == 22)
        #expect(issues[0].reason.contains("expected a string key in double quotes, found '}'"))
        #expect(issues[0].countermeasure.contains("line 3, column 22"))
    }

    @Test func jsonErrors() {
        let cases: [(String, Int, Int, String)] = [
            ("[1, 2", 1, 6, "end of file"),
            ("[01]", 1, 3, "leading zeros"),
            ("{\"a\" 1}", 1, 6, "expected ':'"),
            ("[\"a\\x\"]", 1, 5, "invalid escape"),
            ("[\"\\ud800\"]", 1, 8, "surrogate"),
            ("[tru]", 1, 2, "expected a value"),
            ("[1] 2", 1, 5, "after the end"),
            ("[\"é\" x]", 1, 6, "expected ',' or ']'"),
        ]
        for (text, line, column, reason) in cases {
            let issues = Load.issues(text, path: "x.json")
            #expect(issues.count == 1, "\(text)")
            #expect(issues.first?.kind == .syntax, "\(text)")
            #expect(issues.first?.line == line, "\(text)")
            #expect(issues.first?.column == column, "\(text)")
            #expect(issues.first?.reason.contains(reason) == true, "\(text): \(issues.first?.reason ?? "")")
        }
    }

    @Test func jsonLookingYAMLFallsBack() throws {
        // Not valid JSON (trailing comma, comment) but valid YAML flow syntax, and not named .json.
        let def = try #require(Load.ok("""
            [ # the run order
              {job_name: a, depends_on: []},
            ]
            """, path: "order.yaml"))
        #expect(def.jobs.map(\.name) == ["a"])
        #expect(def.jobs[0].line == 2)
    }

    @Test func emptyFiles() {
        for text in ["", "   \n\t\n", "# only a comment\n# another\n", "---\n", "\u{FEFF}"] {
            let issues = Load.issues(text)
            #expect(issues.count == 1)
            #expect(issues.first?.kind == .type)
            #expect(issues.first?.reason == "The definition is empty.")
            #expect(issues.first?.countermeasure.contains("job_name: hello") == true)
        }
        #expect(Load.issues("  ", path: "x.json").first?.reason == "The definition is empty.")
    }

    @Test func invalidUTF8() {
        var bytes = Array("jobs:\n  - job_name: a\n".utf8)
        bytes += [0xC3, 0x28]
        let issues = Load.issues(bytes: bytes)
        #expect(issues.count == 1)
        #expect(issues[0].kind == .syntax)
        #expect(issues[0].line == 3)
        #expect(issues[0].reason.contains("not valid UTF-8"))
        // Overlong encodings and surrogates are invalid too.
        #expect(Load.issues(bytes: [0x5B, 0xC0, 0x80, 0x5D]).first?.kind == .syntax)
        #expect(Load.issues(bytes: [0x5B, 0xED, 0xA0, 0x80, 0x5D]).first?.kind == .syntax)
        #expect(Load.issues(bytes: [0xF0, 0x9F, 0x98]).first?.kind == .syntax)
    }

    @Test func binaryGarbage() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        for round in 0..<50 {
            var bytes: [UInt8] = []
            for _ in 0..<(64 + round * 13) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            let result = DefinitionLoader.load(bytes: bytes, path: round % 2 == 0 ? "x.json" : "x.yaml")
            if case .failure(let report) = result { #expect(!report.issues.isEmpty) }
        }
        // Valid UTF-8 control characters: YAML refuses them with a position.
        let issues = Load.issues(bytes: Array("jobs: [\u{01}]".utf8))
        #expect(issues.first?.kind == .syntax)
        #expect(issues.first?.line == 1)
    }

    @Test func deepNestingJSON() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        for path in ["deep.json", "deep.yaml"] {
            let issues = Load.issues(deep, path: path)
            #expect(issues.count == 1)
            #expect(issues.first?.kind == .syntax)
        }
        #expect(Load.issues(deep, path: "deep.json").first?.reason.contains("deeper than 256") == true)
        let objects = String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(Load.issues(objects, path: "deep.json").first?.kind == .syntax)
    }

    @Test func deepNestingYAML() {
        let flow = "jobs: " + String(repeating: "[", count: 100_000)
        #expect(Load.issues(flow).first?.kind == .syntax)
        let block = String(repeating: "- ", count: 100_000) + "x\n"
        #expect(Load.issues(block).first?.kind == .syntax)
        var indented = ""
        for i in 0..<2_000 { indented += String(repeating: " ", count: i) + "k\(i):\n" }
        #expect(Load.issues(indented).first?.kind == .syntax)
        // Within libyaml's limit but past ours: stopped by the conversion.
        let medium = "jobs: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let issues = Load.issues(medium)
        #expect(issues.first?.kind == .syntax)
        #expect(issues.first?.reason.contains("deeper than 256") == true)
    }

    @Test func aliasBomb() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        text += "jobs:\n  - job_name: x\n    depends_on: []\n    arguments: {bomb: *a9}\n"
        let issues = Load.issues(text)
        #expect(issues.count == 1)
        #expect(issues.first?.kind == .syntax)
        #expect(issues.first?.reason.contains("alias") == true)
    }

    @Test func aliasBombAsKeyIsRefusedBeforeYams() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [\(Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", "))]\n"
        }
        for keyed in ["m: {? *a9 : 1, ? *a8 : 2}\n", "*a9 : 1\n", "m: {[*a9]: 1}\n", "? *a9\n: 1\n"] {
            let issues = Load.issues(text + keyed)
            #expect(issues.count == 1)
            #expect(issues.first?.kind == .syntax)
            #expect(issues.first?.line == 11)
            #expect(issues.first?.reason.contains("complex mapping keys") == true)
        }
        // Complex keys without aliases are harmless to Yams: they become disallowed keys.
        #expect(Load.issues("? [a, b]\n: 1\njobs: []\n").map(\.kind) == [.permission])
    }

    @Test func modestAliasReuseIsFine() throws {
        let def = try #require(Load.ok("""
            jobs:
              - job_name: a
                depends_on: []
                arguments: &args {region: eu, size: 3}
              - job_name: b
                depends_on: [a]
                arguments: *args
            """))
        #expect(def.jobs[1].arguments == def.jobs[0].arguments)
        #expect(def.jobs[1].line == 5)
    }

    @Test func yamlScalarTypes() throws {
        let def = try #require(Load.ok("""
            jobs:
              - job_name: a
                depends_on: []
                retries: 0x10
                arguments: {y: yes, o: off, n: ~, f: .5, i: -3, s: !!str 12, q: '7', inf: 1_000}
            """))
        #expect(def.jobs[0].retries == 16)
        #expect(def.jobs[0].arguments == .object([
            (key: "y", value: .bool(true)), (key: "o", value: .bool(false)), (key: "n", value: .null),
            (key: "f", value: .double(0.5)), (key: "i", value: .int(-3)), (key: "s", value: .string("12")),
            (key: "q", value: .string("7")), (key: "inf", value: .int(1000)),
        ]))
        // `.inf` is passed on as json.dumps writes it, as VDK passes it (issue 14).
        let inf = try #require(Load.ok("jobs:\n  - {job_name: a, depends_on: [], arguments: {x: .inf}}\n"))
        #expect(inf.jobs[0].arguments?.jsonText == #"{"x":Infinity}"#)
    }
}
