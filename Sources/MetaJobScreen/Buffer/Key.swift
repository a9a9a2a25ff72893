/// A key press, decoded by the terminal driver; the app model's update function takes these.
public enum Key: Sendable, Equatable, Hashable {
    /// A printable character (`q`, `/`, `R`, `+`, a letter typed into a search).
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace
    /// Ctrl+letter (`ctrl("c")` is Ctrl-C when the terminal delivers it as a key).
    case ctrl(Character)
    /// A function key F1…F12.
    case function(Int)
}
