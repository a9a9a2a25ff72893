#define _GNU_SOURCE
#include "metajob_sys.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// The watchdog is forked from a multi-threaded process and never execs, so after fork() it may only make
// async-signal-safe calls: no malloc, no stdio, no locks. Its table is allocated before the fork.

static void watchdog_sleep_ms(long ms) {
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static int watchdog_any_alive(const int32_t *groups, int count) {
    for (int i = 0; i < count; i++) {
        if (kill(-groups[i], 0) == 0 || errno == EPERM) return 1;
    }
    return 0;
}

// Closes every descriptor except `keep`: close_range where the kernel has it, else one by one.
static void close_all_but(int keep) {
    for (int other = 0; other < 3; other++) {
        if (other != keep) close(other);
    }
    long ok = 0;
#ifdef SYS_close_range
    ok = syscall(SYS_close_range, (unsigned)(keep + 1), ~0U, 0) == 0;
    if (ok && keep > 3) ok = syscall(SYS_close_range, 3U, (unsigned)(keep - 1), 0) == 0;
#endif
    if (!ok) {
        long limit = sysconf(_SC_OPEN_MAX);
        if (limit < 0 || limit > 65536) limit = 65536;
        for (int other = 3; other < limit; other++) {
            if (other != keep) close(other);
        }
    }
}

// Runs in the forked child: reads records until metajob's end of the socket closes, then stops every group
// still registered. Never returns.
static void watchdog_main(int fd, int32_t *groups, int capacity, long grace_ms) {
    // Ctrl-C reaches the whole foreground group, the watchdog included; it must outlive metajob to do its job.
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU};
    for (unsigned i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) sigaction(ignored[i], &ignore, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_NAME, "metajob-watch", 0, 0, 0);
    // Every other descriptor goes: the watchdog must not hold metajob's stdout (or anything else) open.
    close_all_but(fd);

    int count = 0;
    unsigned char buffer[65536 + sizeof(int32_t)];
    size_t held = 0;
    for (;;) {
        ssize_t n = read(fd, buffer + held, sizeof(buffer) - held);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        held += (size_t)n;
        size_t used = 0;
        while (held - used >= sizeof(int32_t)) {
            int32_t record;
            memcpy(&record, buffer + used, sizeof record);
            used += sizeof record;
            if (record > 0) {
                if (count < capacity) groups[count++] = record;
            } else if (record < 0) {
                for (int i = 0; i < count; i++) {
                    if (groups[i] == -record) {
                        groups[i] = groups[--count];
                        break;
                    }
                }
            }
        }
        memmove(buffer, buffer + used, held - used);
        held -= used;
    }

    // metajob is gone (its end closed only when it exited or closed the watchdog on purpose).
    if (count > 0) {
        for (int i = 0; i < count; i++) kill(-groups[i], SIGTERM);
        for (long waited = 0; waited < grace_ms && watchdog_any_alive(groups, count); waited += 20) {
            watchdog_sleep_ms(20);
        }
        for (int i = 0; i < count; i++) kill(-groups[i], SIGKILL);
    }
    _exit(0);
}

int metajob_watchdog_start(int capacity, long grace_ms, pid_t *watchdog_pid) {
    if (capacity < 1) capacity = 1;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return -errno;
    int32_t *groups = malloc(sizeof(int32_t) * (size_t)capacity);
    if (groups == NULL) {
        close(fds[0]);
        close(fds[1]);
        return -ENOMEM;
    }
    // Room for many records (each small send is its own buffer in the kernel) should the watchdog fall
    // behind, so a burst of job starts does not block metajob (best effort: capped by the kernel).
    int size = 1 << 20;
    setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        free(groups);
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    if (pid == 0) {
        close(fds[1]);
        watchdog_main(fds[0], groups, capacity, grace_ms);
    }
    free(groups);
    close(fds[0]);
    *watchdog_pid = pid;
    return fds[1];
}

int metajob_watchdog_send(int fd, int32_t record) {
    const char *bytes = (const char *)&record;
    size_t sent = 0;
    while (sent < sizeof record) {
        ssize_t n = send(fd, bytes + sent, sizeof record - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        sent += (size_t)n;
    }
    return 0;
}
