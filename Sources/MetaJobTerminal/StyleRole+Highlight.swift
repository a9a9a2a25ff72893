import MetaJobScreen

extension StyleRole {
    /// Roles that must stand out even on a monochrome terminal.
    var isHighlight: Bool {
        switch self {
        case .selection, .searchCurrent, .header, .footer: return true
        default: return false
        }
    }
}
