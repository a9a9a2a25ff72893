import Foundation
import MetaJobScreen

/// The themes the dashboard starts with, from `--theme`, `METAJOB_THEME`, theme files and `NO_COLOR`.
enum DashboardThemes {
    /// The themes to cycle with `T`, the chosen one first; throws a message for the user when the choice is bad.
    static func resolve(argument: String?, environment: Environment) throws(DashboardSession.Problem) -> [Theme] {
        // Until the screen layer's theme resolver lands: one plain theme (every role as the terminal's default).
        if let argument, !argument.isEmpty, argument != "default" {
            throw DashboardSession.Problem(message: "--theme \(argument): no such theme; the built-in theme is default")
        }
        return [Theme(name: "default", styles: [:])]
    }
}
