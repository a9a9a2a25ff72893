/// Copies of the theme files in `themes/` at the repository root, compiled in so the binary works from anywhere.
/// The file is the source: `ThemeTests.compiledCopiesEqualTheFiles` fails, naming the first differing line, when a copy
/// differs from its file or a file has no copy; edit the file, then paste it here.
enum BuiltinThemeFiles {
    /// (name, file text), in the order `T` cycles.
    static let all: [(name: String, text: String)] = [
        ("default", """
            # metajob theme "default": dark background, 256 colours.
            # One role per line: ROLE = [fg:COLOR] [bg:COLOR] [bold] [underline] [reverse] [dim]
            normal               = default
            dim                  = fg:245
            header               = fg:231 bg:24 bold
            footer               = fg:252 bg:236
            key                  = fg:221 bg:236 bold
            border               = fg:240
            border.focused       = fg:39 bold
            selection            = fg:231 bg:25 bold
            edge                 = fg:242
            upstream             = fg:141 bold
            downstream           = fg:214 bold
            search.hit           = fg:16 bg:222
            search.current       = fg:16 bg:208 bold
            warning              = fg:220 bold
            error                = fg:203 bold
            log.stderr           = fg:210
            critical             = fg:209 bold
            overdue              = fg:203 bold underline
            expected             = fg:67
            state.pending        = fg:246
            state.queued         = fg:110
            state.delayed        = fg:179
            state.submitted      = fg:75
            state.running        = fg:39 bold
            state.succeeded      = fg:71
            state.user_error     = fg:196 bold
            state.platform_error = fg:201 bold
            state.cancelled      = fg:172
            state.skipped        = fg:244
            state.not_run        = fg:240
            """ + "\n"),
        ("light", """
            # metajob theme "light": light background, 256 colours.
            normal               = default
            dim                  = fg:243
            header               = fg:231 bg:31 bold
            footer               = fg:236 bg:253
            key                  = fg:18 bg:253 bold
            border               = fg:248
            border.focused       = fg:25 bold
            selection            = fg:16 bg:153 bold
            edge                 = fg:246
            upstream             = fg:91 bold
            downstream           = fg:130 bold
            search.hit           = fg:16 bg:229
            search.current       = fg:16 bg:214 bold
            warning              = fg:130 bold
            error                = fg:160 bold
            log.stderr           = fg:124
            critical             = fg:166 bold
            overdue              = fg:160 bold underline
            expected             = fg:103
            state.pending        = fg:244
            state.queued         = fg:67
            state.delayed        = fg:136
            state.submitted      = fg:32
            state.running        = fg:26 bold
            state.succeeded      = fg:28
            state.user_error     = fg:160 bold
            state.platform_error = fg:127 bold
            state.cancelled      = fg:166
            state.skipped        = fg:245
            state.not_run        = fg:247
            """ + "\n"),
        ("high-contrast", """
            # metajob theme "high-contrast": the 16 basic colours only, bold, for low vision and any terminal.
            normal               = fg:bright-white
            dim                  = fg:white
            header               = fg:black bg:bright-white bold
            footer               = fg:black bg:white
            key                  = fg:black bg:bright-yellow bold
            border               = fg:white
            border.focused       = fg:bright-yellow bold
            selection            = fg:black bg:bright-cyan bold
            edge                 = fg:white
            upstream             = fg:bright-magenta bold underline
            downstream           = fg:bright-yellow bold underline
            search.hit           = fg:black bg:bright-yellow
            search.current       = fg:black bg:bright-green bold
            warning              = fg:bright-yellow bold
            error                = fg:bright-red bold
            log.stderr           = fg:bright-red
            critical             = fg:bright-yellow bold underline
            overdue              = fg:bright-red bold reverse
            expected             = fg:bright-white dim
            state.pending        = fg:white
            state.queued         = fg:bright-cyan
            state.delayed        = fg:bright-yellow bold
            state.submitted      = fg:bright-blue bold
            state.running        = fg:bright-cyan bold
            state.succeeded      = fg:bright-green bold
            state.user_error     = fg:bright-red bold reverse
            state.platform_error = fg:bright-magenta bold reverse
            state.cancelled      = fg:bright-yellow
            state.skipped        = fg:white
            state.not_run        = fg:white dim
            """ + "\n"),
        ("mono", """
            # metajob theme "mono": no colour at all (NO_COLOR), attributes only; states still show glyph and word.
            normal               = default
            dim                  = dim
            header               = reverse bold
            footer               = reverse
            key                  = reverse bold
            border               = default
            border.focused       = bold
            selection            = reverse
            edge                 = dim
            upstream             = bold underline
            downstream           = underline
            search.hit           = reverse
            search.current       = reverse bold underline
            warning              = bold
            error                = bold underline
            log.stderr           = bold
            critical             = bold underline
            overdue              = bold reverse
            expected             = dim
            state.pending        = dim
            state.queued         = default
            state.delayed        = underline
            state.submitted      = default
            state.running        = bold
            state.succeeded      = default
            state.user_error     = bold reverse
            state.platform_error = bold reverse
            state.cancelled      = underline
            state.skipped        = dim
            state.not_run        = dim
            """ + "\n"),
    ]
}
