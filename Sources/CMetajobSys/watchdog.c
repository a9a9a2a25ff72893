#define _GNU_SOURCE
#include "metajob_sys.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// The watchdog is forked from a multi-threaded process and never execs, so after fork() it may only make
// async-signal-safe calls: no malloc, no stdio, no locks. Its table is mapped (shared) before the fork.

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

// Runs in the forked child: waits until metajob's end of the socket closes, then stops every group still
// in the shared table. Never returns.
static void watchdog_main(int fd, metajob_watchdog_table *table, long grace_ms) {
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

    // Nothing is ever sent: the groups are in the shared table, so a job's start or end costs metajob a store
    // instead of a message, and this process sleeps in read() for the whole run.
    unsigned char sink[64];
    for (;;) {
        ssize_t n = read(fd, sink, sizeof sink);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
    }

    // metajob is gone (its end closed only when it exited or closed the watchdog on purpose); whatever it
    // stored before is visible now. The table is copied first: this process may not allocate.
    int used = __atomic_load_n(&table->used, __ATOMIC_ACQUIRE);
    if (used > table->capacity) used = table->capacity;
    int count = 0;
    for (int i = 0; i < used; i++) {
        int32_t group = __atomic_load_n(&table->slots[i], __ATOMIC_ACQUIRE);
        if (group > 0) table->slots[count++] = group;
    }
    int32_t *groups = table->slots;
    if (count > 0) {
        for (int i = 0; i < count; i++) kill(-groups[i], SIGTERM);
        for (long waited = 0; waited < grace_ms && watchdog_any_alive(groups, count); waited += 20) {
            watchdog_sleep_ms(20);
        }
        for (int i = 0; i < count; i++) kill(-groups[i], SIGKILL);
    }
    _exit(0);
}

static size_t watchdog_table_size(int capacity) {
    return sizeof(metajob_watchdog_table) + sizeof(int32_t) * (size_t)capacity;
}

int metajob_watchdog_start(int capacity, long grace_ms, pid_t *watchdog_pid, metajob_watchdog_table **table_out) {
    if (capacity < 1) capacity = 1;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return -errno;
    // Shared with the watchdog, untouched pages cost nothing: 64 Ki slots are 256 KiB of address space.
    metajob_watchdog_table *table = mmap(NULL, watchdog_table_size(capacity), PROT_READ | PROT_WRITE,
                                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    table->capacity = capacity;
    table->used = 0;
    pthread_mutex_init(&table->lock, NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        munmap(table, watchdog_table_size(capacity));
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    if (pid == 0) {
        close(fds[1]);
        watchdog_main(fds[0], table, grace_ms);
    }
    close(fds[0]);
    *watchdog_pid = pid;
    *table_out = table;
    return fds[1];
}

int metajob_watchdog_register(metajob_watchdog_table *table, pid_t group) {
    if (group <= 0) return EINVAL;
    pthread_mutex_lock(&table->lock);
    // Slots are reused lowest first, so the table stays as short as the most jobs ever running at once.
    int used = table->used;
    int slot = 0;
    while (slot < used && table->slots[slot] != 0) slot++;
    int rc = 0;
    if (slot < table->capacity) {
        __atomic_store_n(&table->slots[slot], group, __ATOMIC_RELEASE);
        if (slot == used) __atomic_store_n(&table->used, used + 1, __ATOMIC_RELEASE);
    } else {
        rc = ENOSPC;
    }
    pthread_mutex_unlock(&table->lock);
    return rc;
}

void metajob_watchdog_unregister(metajob_watchdog_table *table, pid_t group) {
    pthread_mutex_lock(&table->lock);
    int used = table->used;
    for (int slot = 0; slot < used; slot++) {
        if (table->slots[slot] == group) {
            __atomic_store_n(&table->slots[slot], 0, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&table->lock);
}

void metajob_watchdog_table_free(metajob_watchdog_table *table) {
    int capacity = table->capacity;
    pthread_mutex_destroy(&table->lock);
    munmap(table, watchdog_table_size(capacity));
}
