#define _GNU_SOURCE
#include "metajob_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// The watchdog is forked from a multi-threaded process and never execs, so after fork() it may only make
// async-signal-safe calls: no malloc, no stdio, no locks. Its table is mapped (shared) before the fork, and
// every path it needs is built on its stack from the cgroup directory copied before the fork.

struct metajob_watchdog {
    metajob_watchdog_table *table;
    /// metajob's end of the socket to the current watchdog process (-1 once it could not be replaced).
    int fd;
    pid_t pid;
    long grace_ms;
    /// The run's cgroup directory, or "" for none.
    char cgroup[PATH_MAX];
    /// Wakes the monitor thread to end it.
    int wake_fd;
    pthread_t monitor;
    int monitoring;
    int restarts;
};

static void watchdog_sleep_ms(long ms) {
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
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

// `dir` + "/" + `number` (when >= 0) + `leaf` (when not NULL) into `out`; false when it does not fit.
static int cgroup_path(char *out, size_t size, const char *dir, long number, const char *leaf) {
    size_t length = strlen(dir);
    if (length + 32 + (leaf ? strlen(leaf) : 0) >= size) return 0;
    memcpy(out, dir, length);
    if (number >= 0) {
        char digits[24];
        int count = 0;
        do {
            digits[count++] = (char)('0' + number % 10);
            number /= 10;
        } while (number > 0);
        out[length++] = '/';
        while (count > 0) out[length++] = digits[--count];
    }
    out[length] = 0;
    if (leaf) {
        size_t extra = strlen(leaf);
        memcpy(out + length, leaf, extra + 1);
    }
    return 1;
}

// Sends `sig` to every process in job cgroup `number` (-1: the run's cgroup itself).
static void cgroup_signal_all(const char *dir, long number, int sig) {
    char path[PATH_MAX];
    if (!cgroup_path(path, sizeof path, dir, number, "/cgroup.procs")) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    metajob_cgroup_signal(fd, sig);
    close(fd);
}

static int cgroup_is_populated(const char *dir) {
    char path[PATH_MAX];
    if (!cgroup_path(path, sizeof path, dir, -1, "/cgroup.events")) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int populated = metajob_cgroup_populated(fd);
    close(fd);
    return populated == 1;
}

static void cgroup_kill_all(const char *dir) {
    char path[PATH_MAX];
    if (!cgroup_path(path, sizeof path, dir, -1, "/cgroup.kill")) return;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    metajob_cgroup_kill(fd);
    close(fd);
}

// Signals each group in the table that `done` (a bitmap by slot) does not mark yet, and marks it. Slots are
// read again on every pass: a child that was being spawned when metajob died stores its group late.
// Returns how many slots are still reserved by a spawn in flight.
static int signal_new_groups(metajob_watchdog_table *table, unsigned char *done, int sig) {
    int used = __atomic_load_n(&table->used, __ATOMIC_ACQUIRE);
    if (used > table->capacity) used = table->capacity;
    int pending = 0;
    for (int i = 0; i < used; i++) {
        int32_t group = __atomic_load_n(&table->slots[i], __ATOMIC_ACQUIRE);
        if (group < 0) pending++;
        if (group <= 0 || (done[i / 8] & (1 << (i % 8)))) continue;
        done[i / 8] |= (unsigned char)(1 << (i % 8));
        kill(-group, sig);
        // A stopped job cannot run its SIGTERM handler: wake it so it ends within the grace period.
        if (sig != SIGKILL) kill(-group, SIGCONT);
    }
    return pending;
}

static int any_group_alive(metajob_watchdog_table *table) {
    int used = __atomic_load_n(&table->used, __ATOMIC_ACQUIRE);
    if (used > table->capacity) used = table->capacity;
    for (int i = 0; i < used; i++) {
        int32_t group = __atomic_load_n(&table->slots[i], __ATOMIC_ACQUIRE);
        if (group > 0 && (kill(-group, 0) == 0 || errno == EPERM)) return 1;
    }
    return 0;
}

// Runs in the forked child: waits until metajob's end of the socket closes, then stops every group still
// in the shared table and everything in the run's cgroup. Never returns.
__attribute__((noreturn)) static void watchdog_main(int fd, metajob_watchdog_table *table, long grace_ms, const char *cgroup) {
    // A session of its own: `timeout -s KILL`, a shell or a CI runner killing metajob's process group must not
    // take the watchdog with it. Ctrl-C and hang-ups then no longer reach it either; ignored all the same.
    setsid();
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
    // stored before is visible now.
    unsigned char termed[65536 / 8];
    unsigned char killed[65536 / 8];
    memset(termed, 0, sizeof termed);
    memset(killed, 0, sizeof killed);
    int has_cgroup = cgroup[0] != 0 && __atomic_load_n(&table->cgroup_claimed, __ATOMIC_ACQUIRE) == 1;
    signal_new_groups(table, termed, SIGTERM);
    if (has_cgroup) {
        int cgroups = __atomic_load_n(&table->cgroups, __ATOMIC_ACQUIRE);
        for (int i = 0; i < cgroups; i++) {
            cgroup_signal_all(cgroup, i, SIGTERM);
            cgroup_signal_all(cgroup, i, SIGCONT);
        }
    }
    // The grace period, cut short once nothing is left (and no spawn is still in flight, for at most 200 ms).
    for (long waited = 0; waited < grace_ms; waited += 20) {
        int pending = signal_new_groups(table, termed, SIGTERM);
        int alive = any_group_alive(table) || (has_cgroup && cgroup_is_populated(cgroup));
        if (!alive && (pending == 0 || waited >= 200)) break;
        watchdog_sleep_ms(20);
    }
    signal_new_groups(table, killed, SIGKILL);
    if (has_cgroup) {
        cgroup_kill_all(cgroup);
        // cgroup.kill is asynchronous: the cgroups can be removed once their last process is gone.
        for (int waited = 0; waited < 2000 && cgroup_is_populated(cgroup); waited += 10) watchdog_sleep_ms(10);
        int cgroups = __atomic_load_n(&table->cgroups, __ATOMIC_ACQUIRE);
        char path[PATH_MAX];
        for (int i = 0; i < cgroups; i++) {
            if (cgroup_path(path, sizeof path, cgroup, i, NULL)) rmdir(path);
        }
        rmdir(cgroup);
    }
    _exit(0);
}

static size_t watchdog_table_size(int capacity) {
    return sizeof(metajob_watchdog_table) + sizeof(int32_t) * (size_t)capacity;
}

// Forks a watchdog process for `watchdog`'s table; sets its fd and pid. 0 or errno.
static int watchdog_fork(metajob_watchdog *watchdog) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return e;
    }
    if (pid == 0) {
        close(fds[1]);
        watchdog_main(fds[0], watchdog->table, watchdog->grace_ms, watchdog->cgroup);
    }
    close(fds[0]);
    watchdog->fd = fds[1];
    __atomic_store_n(&watchdog->pid, pid, __ATOMIC_RELEASE);
    return 0;
}

// The monitor thread: the watchdog never writes, so its socket becoming readable means it died (killed on
// its own: `kill -9` of its pid, the OOM killer). A new one takes over the same table and cgroup.
static void *watchdog_monitor(void *context) {
    metajob_watchdog *watchdog = context;
    for (;;) {
        struct pollfd probes[2] = {{.fd = watchdog->fd, .events = POLLIN}, {.fd = watchdog->wake_fd, .events = POLLIN}};
        int n = poll(probes, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (probes[1].revents != 0) break;
        if (probes[0].revents == 0) continue;
        close(watchdog->fd);
        watchdog->fd = -1;
        int status;
        while (waitpid(watchdog->pid, &status, 0) < 0 && errno == EINTR) {}
        if (watchdog_fork(watchdog) != 0) break;
        __atomic_add_fetch(&watchdog->restarts, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

metajob_watchdog *metajob_watchdog_start(int capacity, long grace_ms, const char *cgroup_dir, int *error) {
    if (capacity < 1) capacity = 1;
    if (capacity > 65536) capacity = 65536;
    metajob_watchdog *watchdog = calloc(1, sizeof *watchdog);
    if (watchdog == NULL) {
        *error = ENOMEM;
        return NULL;
    }
    watchdog->fd = -1;
    watchdog->wake_fd = -1;
    watchdog->grace_ms = grace_ms;
    if (cgroup_dir != NULL) {
        if (strlen(cgroup_dir) >= sizeof watchdog->cgroup - 64) {
            free(watchdog);
            *error = ENAMETOOLONG;
            return NULL;
        }
        strcpy(watchdog->cgroup, cgroup_dir);
    }
    // Shared with the watchdog, untouched pages cost nothing: 64 Ki slots are 256 KiB of address space.
    metajob_watchdog_table *table = mmap(NULL, watchdog_table_size(capacity), PROT_READ | PROT_WRITE,
                                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED) {
        *error = errno;
        free(watchdog);
        return NULL;
    }
    table->capacity = capacity;
    table->used = 0;
    table->cgroups = 0;
    table->cgroup_claimed = 0;
    pthread_mutex_init(&table->lock, NULL);
    watchdog->table = table;
    int rc = watchdog_fork(watchdog);
    if (rc == 0) {
        watchdog->wake_fd = eventfd(0, EFD_CLOEXEC);
        if (watchdog->wake_fd < 0) rc = errno;
    }
    if (rc == 0) {
        // The monitor takes no signal: they stay with the threads that handle them.
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        rc = pthread_create(&watchdog->monitor, NULL, watchdog_monitor, watchdog);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (rc == 0) watchdog->monitoring = 1;
    }
    if (rc != 0) {
        *error = rc;
        metajob_watchdog_stop(watchdog);
        return NULL;
    }
    return watchdog;
}

metajob_watchdog_table *metajob_watchdog_shared_table(metajob_watchdog *watchdog) {
    return watchdog->table;
}

pid_t metajob_watchdog_pid(metajob_watchdog *watchdog) {
    return __atomic_load_n(&watchdog->pid, __ATOMIC_ACQUIRE);
}

int metajob_watchdog_restarts(metajob_watchdog *watchdog) {
    return __atomic_load_n(&watchdog->restarts, __ATOMIC_ACQUIRE);
}

void metajob_watchdog_stop(metajob_watchdog *watchdog) {
    if (watchdog->monitoring) {
        uint64_t one = 1;
        while (write(watchdog->wake_fd, &one, sizeof one) < 0 && errno == EINTR) {}
        pthread_join(watchdog->monitor, NULL);
        watchdog->monitoring = 0;
    }
    if (watchdog->wake_fd >= 0) close(watchdog->wake_fd);
    if (watchdog->fd >= 0) {
        close(watchdog->fd);
        int status;
        while (waitpid(watchdog->pid, &status, 0) < 0 && errno == EINTR) {}
    }
    int capacity = watchdog->table->capacity;
    pthread_mutex_destroy(&watchdog->table->lock);
    munmap(watchdog->table, watchdog_table_size(capacity));
    free(watchdog);
}

int32_t metajob_watchdog_reserve(metajob_watchdog_table *table) {
    pthread_mutex_lock(&table->lock);
    // Slots are reused lowest first, so the table stays as short as the most jobs ever running at once.
    int used = table->used;
    int slot = 0;
    while (slot < used && table->slots[slot] != 0) slot++;
    int32_t index = -1;
    if (slot < table->capacity) {
        __atomic_store_n(&table->slots[slot], -1, __ATOMIC_RELEASE);
        if (slot == used) __atomic_store_n(&table->used, used + 1, __ATOMIC_RELEASE);
        index = slot;
    }
    pthread_mutex_unlock(&table->lock);
    return index;
}

int32_t *metajob_watchdog_slot(metajob_watchdog_table *table, int32_t index) {
    return &table->slots[index];
}

void metajob_watchdog_release(metajob_watchdog_table *table, int32_t index) {
    if (index < 0 || index >= table->capacity) return;
    pthread_mutex_lock(&table->lock);
    __atomic_store_n(&table->slots[index], 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&table->lock);
}

int metajob_watchdog_register(metajob_watchdog_table *table, pid_t group) {
    if (group <= 0) return EINVAL;
    int32_t index = metajob_watchdog_reserve(table);
    if (index < 0) return ENOSPC;
    __atomic_store_n(&table->slots[index], group, __ATOMIC_RELEASE);
    return 0;
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

int32_t metajob_watchdog_next_cgroup(metajob_watchdog_table *table) {
    return __atomic_fetch_add(&table->cgroups, 1, __ATOMIC_ACQ_REL);
}

void metajob_watchdog_claim_cgroup(metajob_watchdog_table *table, int32_t claimed) {
    __atomic_store_n(&table->cgroup_claimed, claimed, __ATOMIC_RELEASE);
}
