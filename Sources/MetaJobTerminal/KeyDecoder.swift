import CNcursesw
import MetaJobScreen

/// Turns what `get_wch` returns into the screen layer's `Key` (nil for input the dashboard has no use for).
enum KeyDecoder {
    /// A character read by `get_wch` (its result was `OK`).
    static func character(_ code: UInt32) -> Key? {
        switch code {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 8, 127: return .backspace
        case 1 ... 26: return .ctrl(Character(Unicode.Scalar(UInt8(code) + 96)))
        case 0 ..< 32: return nil
        default:
            guard let scalar = Unicode.Scalar(code), scalar.properties.generalCategory != .control else { return nil }
            return .character(Character(scalar))
        }
    }

    /// A function key read by `get_wch` (its result was `KEY_CODE_YES`); KEY_RESIZE is handled by the driver.
    static func function(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END, KEY_LL: return .end
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        default:
            let f0 = mj_key_f0()
            if code > f0, code <= f0 + 12 { return .function(Int(code - f0)) }
            return nil
        }
    }
}
