#define _GNU_SOURCE
#include "metajob_sys.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static void close_pair(int fds[2]) {
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
}

// How many file-action sets a spawner keeps. The pipes' write ends get the lowest free descriptors, so a run
// cycles through few (stdout, stderr) pairs: about one per job running at once.
#define SPAWN_CACHE_SIZE 32

typedef struct spawn_actions {
    int out_fd;
    int err_fd;
    char *cwd;  // NULL: no chdir
    unsigned long long used;
    posix_spawn_file_actions_t actions;
} spawn_actions;

struct metajob_spawner {
    posix_spawnattr_t attr;
    spawn_actions cache[SPAWN_CACHE_SIZE];
    int count;
    unsigned long long clock;
};

metajob_spawner *metajob_spawner_create(void) {
    metajob_spawner *spawner = calloc(1, sizeof *spawner);
    if (spawner == NULL) return NULL;
    // Own process group (pgid == pid), so terminate/cleanup can signal everything the job started.
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t empty, reset;
    sigemptyset(&empty);
    // A job must die of SIGPIPE/SIGINT/SIGTERM as it would from a shell. Handled signals are reset by exec
    // itself; only ignored ones survive it, so reset the ones a runtime or we may ignore. (Resetting all 64
    // costs 64 sigaction calls per spawn.)
    sigemptyset(&reset);
    const int resettable[] = {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD,
                              SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ, SIGXCPU, SIGURG, SIGWINCH, SIGPROF, SIGVTALRM};
    for (unsigned i = 0; i < sizeof(resettable) / sizeof(resettable[0]); i++) sigaddset(&reset, resettable[i]);
    int rc = posix_spawnattr_init(&spawner->attr);
    if (rc == 0) rc = posix_spawnattr_setflags(&spawner->attr, flags);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&spawner->attr, 0);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&spawner->attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&spawner->attr, &reset);
    if (rc != 0) {
        posix_spawnattr_destroy(&spawner->attr);
        free(spawner);
        return NULL;
    }
    return spawner;
}

static void spawn_actions_drop(spawn_actions *entry) {
    posix_spawn_file_actions_destroy(&entry->actions);
    free(entry->cwd);
    entry->cwd = NULL;
}

void metajob_spawner_destroy(metajob_spawner *spawner) {
    if (spawner == NULL) return;
    for (int i = 0; i < spawner->count; i++) spawn_actions_drop(&spawner->cache[i]);
    posix_spawnattr_destroy(&spawner->attr);
    free(spawner);
}

static int same_cwd(const char *a, const char *b) {
    if (a == NULL || b == NULL) return a == b;
    return strcmp(a, b) == 0;
}

// The file actions for these pipe ends and working directory: built once and kept, because glibc checks every
// descriptor an action names against the descriptor limit (a getrlimit system call each time).
static int spawn_actions_for(metajob_spawner *spawner, int out_fd, int err_fd, const char *cwd,
                             posix_spawn_file_actions_t **found) {
    spawner->clock++;
    for (int i = 0; i < spawner->count; i++) {
        spawn_actions *entry = &spawner->cache[i];
        if (entry->out_fd == out_fd && entry->err_fd == err_fd && same_cwd(entry->cwd, cwd)) {
            entry->used = spawner->clock;
            *found = &entry->actions;
            return 0;
        }
    }
    spawn_actions *entry;
    if (spawner->count < SPAWN_CACHE_SIZE) {
        entry = &spawner->cache[spawner->count];
    } else {
        entry = &spawner->cache[0];
        for (int i = 1; i < SPAWN_CACHE_SIZE; i++) {
            if (spawner->cache[i].used < entry->used) entry = &spawner->cache[i];
        }
        spawn_actions_drop(entry);
        spawner->count--;
        // Keep the live entries at [0, count): move the last one into the hole.
        spawn_actions *last = &spawner->cache[spawner->count];
        if (entry != last) {
            *entry = *last;
            entry = last;
        }
    }
    char *copy = NULL;
    if (cwd != NULL && (copy = strdup(cwd)) == NULL) return ENOMEM;
    int rc = posix_spawn_file_actions_init(&entry->actions);
    if (rc != 0) {
        free(copy);
        return rc;
    }
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&entry->actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&entry->actions, out_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&entry->actions, err_fd, 2);
    if (rc == 0 && copy != NULL) rc = posix_spawn_file_actions_addchdir_np(&entry->actions, copy);
    // A job gets stdin, stdout and stderr, nothing else: descriptors metajob inherited without
    // close-on-exec (a parent's pipe, say) must not leak into jobs, where a job outliving metajob would
    // hold them open.
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&entry->actions, 3);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&entry->actions);
        free(copy);
        return rc;
    }
    entry->out_fd = out_fd;
    entry->err_fd = err_fd;
    entry->cwd = copy;
    entry->used = spawner->clock;
    spawner->count++;
    *found = &entry->actions;
    return 0;
}

int metajob_spawn(metajob_spawner *spawner, const char *path, char *const argv[], char *const envp[],
                  const char *cwd, metajob_child *out) {
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    // O_CLOEXEC: another thread spawning at the same moment must not inherit our pipe ends.
    // No O_NONBLOCK here: it would also make the job's write ends non-blocking.
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return errno;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        int e = errno;
        close_pair(out_pipe);
        return e;
    }

    posix_spawn_file_actions_t *actions = NULL;
    int rc = spawn_actions_for(spawner, out_pipe[1], err_pipe[1], cwd, &actions);
    pid_t pid = -1;
    if (rc == 0) rc = posix_spawn(&pid, path, actions, &spawner->attr, argv, envp);

    // The job holds the write ends now; ours must go so the pipes report EOF when the job's side closes.
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return rc;
    }

    // Non-blocking read ends: the readers drain until EAGAIN and must never stall the runner's queue. A new
    // pipe's read end has no other status flag to keep, so no F_GETFL first (two syscalls less per job).
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);

    out->pid = pid;
    out->stdout_fd = out_pipe[0];
    out->stderr_fd = err_pipe[0];
    return 0;
}

int metajob_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) return -errno;
    return (int)fd;
}

int metajob_wait_exit_nowait(pid_t pid) {
    siginfo_t info;
    for (;;) {
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

int metajob_reap(pid_t pid, int *status) {
    for (;;) {
        if (waitpid(pid, status, 0) == pid) return 0;
        if (errno != EINTR) return errno;
    }
}

int metajob_decode_status(int status, int *code) {
    if (WIFEXITED(status)) {
        *code = WEXITSTATUS(status);
        return 1;
    }
    if (WIFSIGNALED(status)) {
        *code = WTERMSIG(status);
        return 2;
    }
    return 0;
}

int metajob_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int metajob_epoll_add(int epfd, int fd, unsigned long long token) {
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

int metajob_epoll_rearm(int epfd, int fd, unsigned long long token) {
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : errno;
}

int metajob_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0 ? 0 : errno;
}

int metajob_epoll_wait(int epfd, unsigned long long *tokens, unsigned int *events, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        tokens[i] = evs[i].data.u64;
        events[i] = evs[i].events;
    }
    return n;
}

int metajob_eventfd(void) {
    int fd = eventfd(0, EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int metajob_set_pipe_size(int fd, int bytes) {
    return fcntl(fd, F_SETPIPE_SZ, bytes) >= 0 ? 0 : errno;
}

int metajob_has_exited(pid_t pid) {
    siginfo_t info;
    info.si_pid = 0;
    for (;;) {
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0) return info.si_pid == pid ? 1 : 0;
        if (errno != EINTR) return 0;
    }
}
