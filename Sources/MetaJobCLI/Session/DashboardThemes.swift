import Foundation
import MetaJobScreen

/// The themes the dashboard starts with, from `--theme`, `METAJOB_THEME`, theme files and `NO_COLOR`.
enum DashboardThemes {
    /// The themes to cycle with `T`, the chosen one first; throws a message for the user when the choice is bad.
    static func resolve(argument: String?, environment: Environment) throws(DashboardSession.Problem) -> [Theme] {
        let result = ThemeResolver.resolve(argument: argument, environment: environment.variables) { path in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        switch result {
        case .success(let themes): return themes
        case .failure(let error): throw DashboardSession.Problem(message: "\(error)")
        }
    }
}
