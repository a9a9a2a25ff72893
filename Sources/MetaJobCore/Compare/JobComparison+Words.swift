extension JobComparison {
    /// What changed, in a few words (`succeeded → user_error; slower 10s → 40s`); empty when nothing did.
    /// `duration` formats seconds the way the caller shows times, so the CLI and the screen say the same thing.
    public func changeWords(duration: (Double) -> String) -> String {
        switch presence {
        case .added: return "new: not in the earlier run"
        case .removed: return "gone: only in the earlier run"
        case .both: break
        }
        var words: [String] = []
        if statusChanged { words.append("\(stateBefore ?? "-") → \(stateNow ?? "-")") }
        if let change = durationChange, let before = durationBefore, let now = durationNow {
            words.append("\(change.rawValue) \(duration(before)) → \(duration(now))")
        }
        return words.joined(separator: "; ")
    }
}
