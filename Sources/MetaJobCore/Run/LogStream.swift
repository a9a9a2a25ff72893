/// Which output stream a log line came from.
public enum LogStream: String, Sendable, Equatable {
    case stdout
    case stderr
}
