/// Chooses the dashboard's themes from `--theme`, the environment and theme files; pure (the caller passes
/// the environment and a way to read files) so tests need neither.
public enum ThemeResolver {
    /// The compiled-in themes, in the order `T` cycles: default, light, high-contrast, mono.
    public static let builtins: [Theme] = BuiltinThemeFiles.all.map { entry in
        switch ThemeParser.parse(entry.text, name: entry.name, file: "themes/\(entry.name).theme") {
        case .success(let theme): return theme
        case .failure(let error): preconditionFailure("built-in theme broken: \(error)")
        }
    }

    /// The themes for `T` to cycle, the chosen one first, then the other built-ins.
    ///
    /// Choice: `argument` (`--theme NAME|PATH`), else `METAJOB_THEME`, else `mono` when `NO_COLOR` is set and
    /// non-empty, else `default`. A NAME is looked up in `$XDG_CONFIG_HOME/metajob/themes/NAME.theme`
    /// (`$HOME/.config` when unset) before the built-ins; a value with `/` or ending in `.theme` is a path.
    /// - Parameter readFile: the file's text, or nil when it cannot be read.
    public static func resolve(argument: String?, environment: [String: String],
                               readFile: (String) -> String?) -> Result<[Theme], ThemeError> {
        let requested = [argument, environment["METAJOB_THEME"]].compactMap { $0 }.first { !$0.isEmpty }
        let source = argument.map { _ in "--theme" } ?? "METAJOB_THEME"
        let chosen: Theme
        if let requested {
            switch load(requested, source: source, environment: environment, readFile: readFile) {
            case .success(let theme): chosen = theme
            case .failure(let error): return .failure(error)
            }
        } else if let noColor = environment["NO_COLOR"], !noColor.isEmpty {
            chosen = builtins.first { $0.name == "mono" }!
        } else {
            chosen = builtins[0]
        }
        return .success([chosen] + builtins.filter { $0.name != chosen.name })
    }

    private static func load(_ value: String, source: String, environment: [String: String],
                             readFile: (String) -> String?) -> Result<Theme, ThemeError> {
        if value.contains("/") || value.hasSuffix(".theme") {
            guard let text = readFile(value) else {
                return .failure(ThemeError("\(source) \(ScreenText.label(value)): cannot read the theme file; check the path"))
            }
            return ThemeParser.parse(text, name: themeName(value), file: ScreenText.label(value))
        }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { $0 + "/.config" }
        if let configHome {
            let path = configHome + "/metajob/themes/" + value + ".theme"
            if let text = readFile(path) { return ThemeParser.parse(text, name: value, file: ScreenText.label(path)) }
        }
        if let theme = builtins.first(where: { $0.name == value }) { return .success(theme) }
        let folder = (configHome ?? "$XDG_CONFIG_HOME") + "/metajob/themes/"
        return .failure(ThemeError("\(source) \(ScreenText.label(value)): no such theme; the built-in themes are "
            + builtins.map(\.name).joined(separator: ", ") + "; or put \(ScreenText.label(value)).theme in "
            + ScreenText.label(folder) + ", or pass a path to a .theme file"))
    }

    private static func themeName(_ path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? Substring(path))
        if name.hasSuffix(".theme") { name = name.dropLast(6) }
        return String(name)
    }
}
