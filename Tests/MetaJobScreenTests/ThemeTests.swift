import Foundation
import Testing
@testable import MetaJobScreen

/// Theme files: the compiled copies match `themes/`, the parser says what is wrong, resolution picks right.
@Suite("Themes")
struct ThemeTests {
    static let themesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    @Test func compiledCopiesEqualTheFiles() throws {
        #expect(BuiltinThemeFiles.all.map(\.name) == ["default", "light", "high-contrast", "mono"])
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesDirectory.path)
            .filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(".theme".count)) }
        #expect(Set(files) == Set(BuiltinThemeFiles.all.map(\.name)),
                "every themes/*.theme is built in and every built-in has its file: add or remove the entry in BuiltinThemeFiles.swift")
        for entry in BuiltinThemeFiles.all {
            let file = try String(contentsOf: Self.themesDirectory.appendingPathComponent(entry.name + ".theme"), encoding: .utf8)
            let difference = Self.firstDifference(file: file, builtin: entry.text)
            #expect(difference == nil, """
                themes/\(entry.name).theme and its copy in Sources/MetaJobScreen/Theme/BuiltinThemeFiles.swift differ \
                (the file is the source: paste it into the Swift string). \(difference ?? "")
                """)
        }
    }

    @Test func firstDifferenceNamesTheLineAndBothSides() {
        #expect(Self.firstDifference(file: "a\nb\n", builtin: "a\nb\n") == nil)
        #expect(Self.firstDifference(file: "a\nb = 1\n", builtin: "a\nb = 2\n")
                == "First difference at line 2: file `b = 1`, built-in `b = 2`.")
        #expect(Self.firstDifference(file: "a\nb", builtin: "a")
                == "First difference at line 2: file `b`, built-in (no line).")
        #expect(Self.firstDifference(file: "a\n", builtin: "a") == "First difference at line 2: file ``, built-in (no line).")
    }

    /// Where two theme texts first differ, line by line, for a failure message a person can act on.
    static func firstDifference(file: String, builtin: String) -> String? {
        guard file != builtin else { return nil }
        let a = file.split(separator: "\n", omittingEmptySubsequences: false)
        let b = builtin.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        func show(_ lines: [Substring]) -> String { line < lines.count ? "`\(lines[line])`" : "(no line)" }
        return "First difference at line \(line + 1): file \(show(a)), built-in \(show(b))."
    }

    @Test func builtinsSetEveryRoleAndMonoHasNoColour() {
        for theme in ThemeResolver.builtins {
            #expect(Set(theme.styles.keys) == Set(StyleRole.allCases), "\(theme.name) sets every role")
        }
        let mono = ThemeResolver.builtins.first { $0.name == "mono" }!
        #expect(!mono.usesColor)
        #expect(ThemeResolver.builtins.filter(\.usesColor).count == 3)
        let dark = ThemeResolver.builtins[0]
        #expect(dark.style(.stateRunning) == TerminalStyle(foreground: .palette(39), bold: true))
    }

    @Test func parserReportsFileLineAndWhatIsWrong() {
        func error(_ text: String) -> String? {
            if case .failure(let e) = ThemeParser.parse(text, name: "t", file: "my.theme") { return e.description }
            return nil
        }
        #expect(error("normal = default\nstate.runing = fg:39")?.hasPrefix("my.theme:2: unknown role `state.runing`") == true)
        #expect(error("header fg:1") == "my.theme:1: expected `ROLE = STYLE` (for example `state.running = fg:39 bold`), found `header fg:1`")
        #expect(error("# c\n\nheader = fg:300")?.hasPrefix("my.theme:3: `fg:300`: a colour is 0-255") == true)
        #expect(error("header = blink")?.hasPrefix("my.theme:1: unknown style `blink`") == true)
        #expect(error("header = bold\nheader = dim") == "my.theme:2: `header` is set twice; keep one line for it")
        #expect(error("# nothing\n") == "my.theme: the theme sets no role; add lines like `state.running = fg:39 bold`")
        #expect(error("error = fg:bright-red bg:black underline  # comment") == nil)
    }

    @Test func resolutionOrder() throws {
        let none: (String) -> String? = { _ in nil }
        func first(_ argument: String?, _ env: [String: String], _ read: (String) -> String? = { _ in nil }) throws -> String {
            try ThemeResolver.resolve(argument: argument, environment: env, readFile: read).get()[0].name
        }
        #expect(try first(nil, [:]) == "default")
        #expect(try first(nil, ["NO_COLOR": "1"]) == "mono")
        #expect(try first(nil, ["NO_COLOR": ""]) == "default", "NO_COLOR must be non-empty")
        #expect(try first(nil, ["METAJOB_THEME": "light", "NO_COLOR": "1"]) == "light")
        #expect(try first("high-contrast", ["METAJOB_THEME": "light"]) == "high-contrast")
        let user: (String) -> String? = { $0 == "/cfg/metajob/themes/ocean.theme" ? "normal = fg:33\n" : nil }
        #expect(try first("ocean", ["XDG_CONFIG_HOME": "/cfg"], user) == "ocean")
        let home: (String) -> String? = { $0 == "/home/u/.config/metajob/themes/ocean.theme" ? "normal = fg:33\n" : nil }
        #expect(try first("ocean", ["HOME": "/home/u"], home) == "ocean")
        let path: (String) -> String? = { $0 == "./mine.theme" ? "normal = bold\n" : nil }
        #expect(try first("./mine.theme", [:], path) == "mine")
        let all = try ThemeResolver.resolve(argument: "mono", environment: [:], readFile: none).get()
        #expect(all.map(\.name) == ["mono", "default", "light", "high-contrast"], "T cycles through the rest")
        guard case .failure(let missing) = ThemeResolver.resolve(argument: "nope", environment: ["XDG_CONFIG_HOME": "/cfg"], readFile: none) else {
            Issue.record("an unknown theme must fail"); return
        }
        #expect(missing.description.contains("--theme nope: no such theme; the built-in themes are default, light, high-contrast, mono"))
        #expect(missing.description.contains("/cfg/metajob/themes/"))
        guard case .failure(let broken) = ThemeResolver.resolve(argument: nil, environment: ["METAJOB_THEME": "/x/bad.theme"],
                                                                  readFile: { _ in "normal = purple\n" }) else {
            Issue.record("a bad file must fail"); return
        }
        #expect(broken.description.hasPrefix("/x/bad.theme:1: `purple`") || broken.description.hasPrefix("/x/bad.theme:1: unknown style `purple`"))
        guard case .failure(let unreadable) = ThemeResolver.resolve(argument: "/no/such.theme", environment: [:], readFile: none) else {
            Issue.record("an unreadable file must fail"); return
        }
        #expect(unreadable.description == "--theme /no/such.theme: cannot read the theme file; check the path")
    }

    @Test func nearestBasicColours() {
        #expect(TerminalColor.palette(196).nearestBasic == 1, "bright red → red")
        #expect(TerminalColor.palette(46).nearestBasic == 2)
        #expect(TerminalColor.palette(21).nearestBasic == 4)
        #expect(TerminalColor.palette(231).nearestBasic == 7)
        #expect(TerminalColor.palette(16).nearestBasic == 0)
        #expect(TerminalColor.palette(9).nearestBasic == 1)
        #expect(TerminalColor.ansi(12).nearestBasic == 4)
        #expect(TerminalColor.terminalDefault.nearestBasic == nil)
        for theme in ThemeResolver.builtins {
            for style in theme.styles.values { _ = style.foreground.nearestBasic; _ = style.background.nearestBasic }
        }
    }

    @Test func glyphSetFollowsTheLocale() {
        #expect(GlyphSet.forLocale(environment: ["LANG": "en_US.UTF-8"]) == .unicode)
        #expect(GlyphSet.forLocale(environment: ["LC_ALL": "C", "LANG": "en_US.UTF-8"]) == .ascii)
        #expect(GlyphSet.forLocale(environment: [:]) == .ascii)
        #expect(GlyphSet.forLocale(environment: ["LC_CTYPE": "de_DE.utf8"]) == .unicode)
    }
}
