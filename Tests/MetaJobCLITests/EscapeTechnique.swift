import Testing

/// The ways a job's process can try to leave the job: each starts `sh -c 'touch escaped; exec sleep 300'`
/// detached from the job's session or process group, and returns at once.
enum EscapeTechnique: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case setsid
    case doubleForkWithSetsid
    case setpgid
    case nohupSetsid

    /// The escaped process: it marks that it runs, then sleeps long past any test.
    static let escapee = "touch escaped; exec sleep 300"

    /// Shell lines that start the escapee this way, in the background.
    var shellLines: String {
        switch self {
        case .setsid:
            return "setsid sh -c '\(Self.escapee)' &"
        case .doubleForkWithSetsid:
            return "perl -MPOSIX -e 'if (fork == 0) { POSIX::setsid(); if (fork == 0) { exec \"sh\", \"-c\", \"\(Self.escapee)\" } exit 0 } wait'"
        case .setpgid:
            return "perl -e 'setpgrp(0, 0); exec \"sh\", \"-c\", \"\(Self.escapee)\"' &"
        case .nohupSetsid:
            return "nohup setsid sh -c '\(Self.escapee)' > /dev/null 2>&1 &"
        }
    }

    var testDescription: String { rawValue }
}
