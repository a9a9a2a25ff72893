/// The process environment as a value, so configuration is testable without touching the real one.
public struct Environment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String]) { self.variables = variables }

    /// A VDK plugin setting: `VDK_<name>` wins over `<name>`. Empty values count as unset.
    public func vdk(_ name: String) -> (name: String, value: String)? {
        if let v = variables["VDK_" + name], !v.isEmpty { return ("VDK_" + name, v) }
        if let v = variables[name], !v.isEmpty { return (name, v) }
        return nil
    }

    public subscript(_ name: String) -> String? {
        guard let v = variables[name], !v.isEmpty else { return nil }
        return v
    }
}
