// The parts of ncursesw (wide-character build) that metajob's terminal driver uses, plus the few things Swift
// cannot express: macros, globals that strict concurrency rejects, and an async-signal-safe crash restore.
#ifndef METAJOB_CNCURSESW_SHIM_H
#define METAJOB_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <ncursesw/ncurses.h>

// MARK: - Macros and globals as functions

static inline int mj_colors(void) { return COLORS; }
static inline int mj_color_pairs(void) { return COLOR_PAIRS; }
static inline int mj_lines(void) { return LINES; }
static inline int mj_cols(void) { return COLS; }
static inline WINDOW *mj_stdscr(void) { return stdscr; }
static inline attr_t mj_attr_bold(void) { return A_BOLD; }
static inline attr_t mj_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t mj_attr_reverse(void) { return A_REVERSE; }
static inline attr_t mj_attr_dim(void) { return A_DIM; }
static inline int mj_key_f0(void) { return KEY_F0; }

extern int wcwidth(wchar_t c);
/// Columns `c` takes on a terminal (-1: not printable).
static inline int mj_wcwidth(wchar_t c) { return wcwidth(c); }

/// Draws one wide character with attributes and a colour pair at (y, x).
static inline int mj_put(int y, int x, wchar_t ch, attr_t attrs, int pair) {
    wchar_t text[2] = { ch, 0 };
    cchar_t cell;
    if (setcchar(&cell, text, attrs, (short)pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}

/// The terminal's size from the kernel (rows, columns), or -1 when the fd is not a terminal.
static inline int mj_window_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

/// True when the locale's character set is UTF-8 (after setlocale(LC_ALL, "")).
static inline int mj_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

// MARK: - Giving the terminal back on a crash

// Only async-signal-safe calls may run in a crash handler, so the terminal's settings are saved up front and
// restored with tcsetattr, and the screen with a fixed escape sequence (leave the alternate screen, show the
// cursor, reset attributes). The previous handlers (the Swift runtime's backtracer) run afterwards.
static const int mj_crash_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP };
#define MJ_CRASH_SIGNAL_COUNT 6

struct mj_crash_state {
    struct termios termios;
    int termios_valid;
    int fd;
    struct sigaction previous[MJ_CRASH_SIGNAL_COUNT];
};

// A function-local static: Swift imports header functions, not header variables.
static inline struct mj_crash_state *mj_crash_state(void) {
    static struct mj_crash_state state = { .fd = -1 };
    return &state;
}

static inline void mj_restore_terminal_now(void) {
    static const char reset[] = "\033[0m\033[?1049l\033[?25h\033[?1l\033>\r\n";
    struct mj_crash_state *state = mj_crash_state();
    if (state->fd >= 0) {
        ssize_t ignored = write(state->fd, reset, sizeof(reset) - 1);
        (void)ignored;
        if (state->termios_valid) tcsetattr(state->fd, TCSANOW, &state->termios);
    }
}

static void mj_crash_handler(int sig) {
    mj_restore_terminal_now();
    struct mj_crash_state *state = mj_crash_state();
    for (int i = 0; i < MJ_CRASH_SIGNAL_COUNT; i++) {
        if (mj_crash_signals[i] == sig) { sigaction(sig, &state->previous[i], NULL); break; }
    }
    // Blocked while this handler runs: delivered to the previous handler (or the default action) on return.
    raise(sig);
}

/// Saves the terminal's settings of `fd` and installs crash handlers that give it back. Call before newterm.
static inline void mj_install_crash_restore(int fd) {
    struct mj_crash_state *state = mj_crash_state();
    state->fd = fd;
    state->termios_valid = tcgetattr(fd, &state->termios) == 0;
    for (int i = 0; i < MJ_CRASH_SIGNAL_COUNT; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = mj_crash_handler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_ONSTACK;
        sigaction(mj_crash_signals[i], &action, &state->previous[i]);
    }
}

/// Puts the previous crash handlers back (the terminal was given back normally).
static inline void mj_remove_crash_restore(void) {
    struct mj_crash_state *state = mj_crash_state();
    if (state->fd < 0) return;
    for (int i = 0; i < MJ_CRASH_SIGNAL_COUNT; i++) sigaction(mj_crash_signals[i], &state->previous[i], NULL);
    state->fd = -1;
}

/// The write end of the pipe SIGTSTP is routed to (-1: none).
static inline int *mj_suspend_fd(void) {
    static int fd = -1;
    return &fd;
}

static void mj_suspend_handler(int sig) {
    (void)sig;
    int saved = errno;
    char byte = 1;
    int fd = *mj_suspend_fd();
    if (fd >= 0) (void)!write(fd, &byte, 1);
    errno = saved;
}

/// Routes Ctrl-Z (SIGTSTP) to a byte written to `fd` (a non-blocking pipe), whichever thread the signal hits,
/// so the UI queue suspends between frames; -1 puts the default action back. Call before newterm: ncurses
/// then leaves SIGTSTP alone.
static inline void mj_route_suspend(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    sigemptyset(&action.sa_mask);
    if (fd >= 0) {
        *mj_suspend_fd() = fd;
        action.sa_handler = mj_suspend_handler;
        action.sa_flags = SA_RESTART;
    } else {
        action.sa_handler = SIG_DFL;
    }
    sigaction(SIGTSTP, &action, NULL);
    if (fd < 0) *mj_suspend_fd() = -1;
}

#endif
