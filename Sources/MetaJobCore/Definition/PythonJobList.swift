/// Finds the job list in a VDK DAG job's Python step: the list the step passes to `run_dag`, or `JOBS_RUN_ORDER`.
///
/// A VDK DAG step looks like `JOBS_RUN_ORDER = [...]` and `def run(job_input): DagInput().run_dag(JOBS_RUN_ORDER)`.
/// The source is scanned as Python tokens (strings and comments skipped): the first argument of the last
/// `run_dag(` call names the list (a literal right there, or a name whose last top-level assignment holds it);
/// without a call, `JOBS_RUN_ORDER = ...`. The value is then read as a literal when it is one; otherwise the
/// caller hands the file to Python.
enum PythonJobList {
    /// Where the job list is and what it is.
    enum Found {
        /// The list, read natively.
        case literal(DefinitionNode)
        /// The list is built by code; `line` is where (the assignment or the `run_dag` call).
        case code(line: Int)
        /// Neither a `run_dag` call nor `JOBS_RUN_ORDER` is in the file.
        case missing
        /// The literal is malformed.
        case syntax(DefinitionSyntaxError)
    }

    /// Scans a step file's bytes (valid UTF-8) for its job list.
    static func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Found {
        var scanner = PythonLiteralReader(bytes: bytes)
        // Top-level (bracket depth 0) assignments `NAME = value`: name → (position, line, line start) of the value.
        var assignments: [String: (Int, Int, Int)] = [:]
        // Names assigned more than once, or changed in place (`x += …`, `x.append(…)`, `x[0] = …`): code.
        var computed: Set<String> = []
        var call: (argument: (Int, Int, Int), line: Int)?
        var depth = 0
        var lastName = ""
        var lastNameLine = 0
        while true {
            scanner.skipTrivia(newlines: true)
            guard scanner.pos < bytes.count else { break }
            let b = bytes[scanner.pos]
            if scanner.isQuote(b) {
                skipString(&scanner, bytes)
                lastName = ""
                continue
            }
            if scanner.isNameStart(b) {
                let lineBefore = scanner.line
                let name = scanner.readName()
                if scanner.pos < bytes.count, scanner.isQuote(bytes[scanner.pos]), name.utf8.count <= 2 {
                    skipString(&scanner, bytes)  // a prefixed string (r'', b'', f'')
                    lastName = ""
                    continue
                }
                lastName = name
                lastNameLine = lineBefore
                let after = scanner.position
                scanner.skipTrivia(newlines: false)
                if scanner.pos < bytes.count {
                    let next = bytes[scanner.pos]
                    if next == UInt8(ascii: ".") || next == UInt8(ascii: "[")
                        || (scanner.peek(at: 1, UInt8(ascii: "=")) && "+-*/%&|^@<>".utf8.contains(next) && next != UInt8(ascii: "<") && next != UInt8(ascii: ">")) {
                        computed.insert(name)
                    }
                }
                scanner.position = after
                continue
            }
            switch b {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                if b == UInt8(ascii: "("), lastName == "run_dag" {
                    scanner.skip(1)
                    scanner.skipTrivia(newlines: true)
                    // run_dag(jobs=...) names its parameter; the value follows the `=`.
                    let save = scanner.position
                    let keyword = scanner.pos < bytes.count && scanner.isNameStart(bytes[scanner.pos]) ? scanner.readName() : ""
                    scanner.skipTrivia(newlines: true)
                    if keyword.isEmpty || !scanner.peek(UInt8(ascii: "=")) || scanner.peek(at: 1, UInt8(ascii: "=")) {
                        scanner.position = save
                    } else {
                        scanner.skip(1)
                        scanner.skipTrivia(newlines: true)
                    }
                    call = (scanner.position, lastNameLine)
                    depth += 1
                    lastName = ""
                    continue
                }
                depth += 1
                scanner.skip(1)
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                scanner.skip(1)
            case UInt8(ascii: "="):
                if scanner.peek(at: 1, UInt8(ascii: "=")) { scanner.skip(2); break }
                scanner.skip(1)
                if depth == 0, !lastName.isEmpty {
                    scanner.skipTrivia(newlines: false)
                    if assignments[lastName] != nil { computed.insert(lastName) }
                    assignments[lastName] = scanner.position
                }
            case UInt8(ascii: ":"):
                // `NAME: list = [...]`: keep the name for the `=` after the annotation.
                scanner.skip(1)
                if depth == 0, !lastName.isEmpty {
                    let name = lastName
                    scanner.skipTrivia(newlines: false)
                    var k = scanner.pos
                    while k < bytes.count, bytes[k] != 0x0A, bytes[k] != UInt8(ascii: "=") { k += 1 }
                    if k < bytes.count, bytes[k] == UInt8(ascii: "="), !(k + 1 < bytes.count && bytes[k + 1] == UInt8(ascii: "=")) {
                        scanner.skip(k - scanner.pos)
                        lastName = name
                        continue
                    }
                }
            default:
                scanner.skip(1)
            }
            if b != UInt8(ascii: ".") { lastName = "" }
        }

        let start: (Int, Int, Int)
        var line: Int
        if let call {
            var reader = PythonLiteralReader(bytes: bytes, at: call.argument.0, line: call.argument.1,
                                             lineStart: call.argument.2)
            if reader.pos < bytes.count, reader.isNameStart(bytes[reader.pos]) {
                let name = reader.readName()
                reader.skipTrivia(newlines: true)
                let isBareName = name != "True" && name != "False" && name != "None"
                    && (reader.peek(UInt8(ascii: ")")) || reader.peek(UInt8(ascii: ",")))
                guard isBareName, let assigned = assignments[name], !computed.contains(name) else {
                    return .code(line: call.line)
                }
                start = assigned
                line = assigned.1
            } else {
                start = call.argument
                line = call.line
            }
        } else if let assigned = assignments["JOBS_RUN_ORDER"] {
            if computed.contains("JOBS_RUN_ORDER") { return .code(line: assigned.1) }
            start = assigned
            line = assigned.1
        } else {
            return .missing
        }
        var reader = PythonLiteralReader(bytes: bytes, at: start.0, line: start.1, lineStart: start.2)
        do throws(PythonLiteralReader.Failure) {
            let node = try reader.readValue(depth: 0)
            // What follows the value must end it: a line end, `;`, `)`, `,` or a comment — not `+ more`.
            reader.skipTrivia(newlines: false)
            if reader.pos < bytes.count {
                let next = bytes[reader.pos]
                let ends = next == 0x0A || next == UInt8(ascii: ";") || next == UInt8(ascii: ")") || next == UInt8(ascii: ",")
                if !ends { return .code(line: line) }
            }
            return .literal(node)
        } catch {
            switch error {
            case .syntax(let e): return .syntax(e)
            case .code(let at): line = at.line; return .code(line: line)
            }
        }
    }

    private static func skipString(_ scanner: inout PythonLiteralReader, _ bytes: UnsafeBufferPointer<UInt8>) {
        // Read as a raw string so any escape is skipped; a malformed one just ends the scan there.
        let quote = bytes[scanner.pos]
        let triple = scanner.peek(at: 1, quote) && scanner.peek(at: 2, quote)
        scanner.skip(triple ? 3 : 1)
        while scanner.pos < bytes.count {
            let c = bytes[scanner.pos]
            if c == UInt8(ascii: "\\") { scanner.skip(2, countingLines: true); continue }
            if c == quote {
                if !triple { scanner.skip(1); return }
                if scanner.peek(at: 1, quote) && scanner.peek(at: 2, quote) { scanner.skip(3); return }
            }
            if c == 0x0A && !triple { return }
            scanner.skip(1, countingLines: true)
        }
    }
}
