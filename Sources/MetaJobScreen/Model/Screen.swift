/// Which screen is up: a run (live or past) in the job layout, or the history browser.
public enum Screen: Sendable, Equatable {
    case run, browser
}
