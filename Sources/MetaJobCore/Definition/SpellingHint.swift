/// "Did you mean …?" suggestions: data engineers typo keys and job names, and the fix is usually one
/// or two letters away.
enum SpellingHint {
    /// The candidate closest to `word` within edit distance 2 — 1 for words under 6 letters, so `zz` does
    /// not suggest `a` — (ties: the first in `candidates`), if any.
    static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        let w = Array(word.utf8)
        let limit = w.count < 6 ? 1 : 2
        var best: (String, Int)?
        for candidate in candidates {
            let c = Array(candidate.utf8)
            // Lengths further apart than the limit cannot be within it; skipping them keeps big job lists cheap.
            guard abs(c.count - w.count) <= limit, candidate != word else { continue }
            let d = distance(w, c, limit: limit)
            if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }

    /// Edit distance counting a swap of two neighbouring letters as one edit (`nmae` → `name`), the
    /// commonest typo; gives up (returning limit + 1) once every cell of a row exceeds `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
