#define _GNU_SOURCE
#include "metajob_sys.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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

int metajob_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                  metajob_child *out) {
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

    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int rc = posix_spawnattr_init(&attr);
    if (rc != 0) {
        close_pair(out_pipe);
        close_pair(err_pipe);
        return rc;
    }
    rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        posix_spawnattr_destroy(&attr);
        close_pair(out_pipe);
        close_pair(err_pipe);
        return rc;
    }

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
    if (rc == 0) rc = posix_spawnattr_setflags(&attr, flags);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &reset);

    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    if (rc == 0 && cwd != NULL) rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    // A job gets stdin, stdout and stderr, nothing else: descriptors metajob inherited without
    // close-on-exec (a parent's pipe, say) must not leak into jobs, where a job outliving metajob would
    // hold them open.
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    pid_t pid = -1;
    if (rc == 0) rc = posix_spawn(&pid, path, &actions, &attr, argv, envp);

    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);

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
