#define _GNU_SOURCE
#include "metajob_sys.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static void close_pair(int fds[2]) {
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
}

struct metajob_spawner {
    /// Signals whose disposition the child resets to default even when metajob ignores them.
    sigset_t reset;
    /// metajob has a controlling terminal, so each child must drop it. Without one (cron, CI, `run --detach`)
    /// children inherit none and the child skips opening /dev/tty: that open (path walk, the device cgroup's
    /// check, a file allocated and freed) ran between vfork and exec, where it holds up the spawning thread.
    int drop_tty;
};

metajob_spawner *metajob_spawner_create(void) {
    metajob_spawner *spawner = calloc(1, sizeof *spawner);
    if (spawner == NULL) return NULL;
    // A job must die of SIGPIPE/SIGINT/SIGTERM as it would from a shell. Handled signals are reset in any
    // case; ignored ones survive exec, so these are reset even when ignored.
    sigemptyset(&spawner->reset);
    const int resettable[] = {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD,
                              SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ, SIGXCPU, SIGURG, SIGWINCH, SIGPROF, SIGVTALRM};
    for (unsigned i = 0; i < sizeof(resettable) / sizeof(resettable[0]); i++) sigaddset(&spawner->reset, resettable[i]);
    // O_NOCTTY: asking must not give metajob a terminal it did not have.
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    spawner->drop_tty = tty >= 0;
    if (tty >= 0) close(tty);
    return spawner;
}

void metajob_spawner_destroy(metajob_spawner *spawner) {
    free(spawner);
}

// The child side of the spawn, between vfork() and execve(): it runs on the parent's stack and memory while
// the parent thread waits, so it only makes system calls and stores its errno into `*error` on failure.
// All signals are blocked on entry. The steps are posix_spawn's, in its order.
__attribute__((noreturn)) static void spawn_child(const char *path, char *const argv[], char *const envp[], const char *cwd,
                        int out_fd, int err_fd, const sigset_t *reset, int drop_tty, const metajob_containment *contain,
                        volatile int *error) {
    // No handler of metajob's may run in the child: reset every handled signal (and the resettable ones,
    // which may be ignored) to its default before the job's mask lets anything through.
    for (int sig = 1; sig < _NSIG; sig++) {
        struct sigaction current;
        if (sigismember(reset, sig) != 1) {
            if (sigaction(sig, NULL, &current) != 0) continue;
            if (current.sa_handler == SIG_IGN || current.sa_handler == SIG_DFL) continue;
        }
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        sigaction(sig, &fallback, NULL);
    }
    // Own process group (pgid == pid): terminate/cleanup signal everything the job started through the group.
    if (setpgid(0, 0) != 0) goto fail;
    // No controlling terminal, so a job opening /dev/tty fails at once (ENXIO) instead of drawing on metajob's
    // terminal or stopping on SIGTTIN/SIGTTOU. TIOCNOTTY from a process that is not a session leader drops
    // only its own controlling terminal (tty_ioctl(2)). Not setsid: a new session also makes a scheduler
    // autogroup, which cost about 0.4 ms a spawn here and made DAG10K 10-20 % slower (DECISIONS.md).
    int tty_fd = drop_tty ? open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
    if (tty_fd >= 0) {
        if (ioctl(tty_fd, TIOCNOTTY) != 0) goto fail;
        close(tty_fd);
    }
    if (contain != NULL) {
        // Both before execve, so no code of the job runs untracked: the cgroup (when there is one) holds
        // the job and everything it forks, however it detaches; the watchdog's slot names its group.
        if (contain->cgroup_procs_fd >= 0 && write(contain->cgroup_procs_fd, "0", 1) != 1) goto fail;
        if (contain->watchdog_slot != NULL) __atomic_store_n(contain->watchdog_slot, (int32_t)getpid(), __ATOMIC_RELEASE);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0) goto fail;
    if (null_fd != 0) {
        if (dup2(null_fd, 0) < 0) goto fail;
        close(null_fd);
    }
    // dup2 onto itself would keep close-on-exec; clear it instead.
    if (out_fd == 1 ? fcntl(1, F_SETFD, 0) < 0 : dup2(out_fd, 1) < 0) goto fail;
    if (err_fd == 2 ? fcntl(2, F_SETFD, 0) < 0 : dup2(err_fd, 2) < 0) goto fail;
    if (cwd != NULL && chdir(cwd) != 0) goto fail;
    // A job gets stdin, stdout and stderr, nothing else: descriptors metajob inherited without close-on-exec
    // (a parent's pipe, say) must not leak into jobs, where a job outliving metajob would hold them open.
    // (close_range, not closefrom: glibc's fallback for old kernels reads /proc, which may allocate.)
    if (syscall(SYS_close_range, 3U, ~0U, 0) != 0) {
        for (int fd = 3; fd < 65536; fd++) close(fd);
    }
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(path, argv, envp);
fail:
    *error = errno != 0 ? errno : EINVAL;
    _exit(127);
}

int metajob_spawn(metajob_spawner *spawner, const char *path, char *const argv[], char *const envp[],
                  const char *cwd, metajob_child *out) {
    return metajob_spawn_contained(spawner, path, argv, envp, cwd, NULL, out);
}

int metajob_spawn_contained(metajob_spawner *spawner, const char *path, char *const argv[], char *const envp[],
                            const char *cwd, const metajob_containment *contain, metajob_child *out) {
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

    // vfork() rather than posix_spawn: the child borrows this thread's stack instead of a stack that glibc maps
    // and unmaps per spawn, and each unmap of a multi-threaded process costs TLB-flush interrupts on the other
    // CPUs. Signals stay blocked until the child has reset their handlers.
    sigset_t all, saved;
    sigfillset(&all);
    // Except SIGCHLD, which the child (having no children) never gets: blocked here, the SIGCHLD of a job ending
    // meanwhile would be queued for the process instead of dropped, and wake another thread (see ReadinessLoop).
    sigdelset(&all, SIGCHLD);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    volatile int error = 0;
    int rc = 0;
    pid_t pid = vfork();
    if (pid == 0) spawn_child(path, argv, envp, cwd, out_pipe[1], err_pipe[1], &spawner->reset, spawner->drop_tty, contain, &error);
    if (pid < 0) {
        rc = errno;
    } else if (error != 0) {
        // The child failed before or at execve and has exited: reap it here, it was never a job.
        rc = error;
        if (contain != NULL && contain->watchdog_slot != NULL) __atomic_store_n(contain->watchdog_slot, -1, __ATOMIC_RELEASE);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);

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

void metajob_unblock_sigchld(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
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

// MARK: - cgroup v2

int metajob_cgroup_populated(int events_fd) {
    char text[256];
    ssize_t n = pread(events_fd, text, sizeof text - 1, 0);
    if (n < 0) return -errno;
    text[n] = 0;
    const char *found = strstr(text, "populated ");
    if (found == NULL) return -EINVAL;
    return found[10] == '1' ? 1 : 0;
}

int metajob_cgroup_kill(int kill_fd) {
    return pwrite(kill_fd, "1", 1, 0) == 1 ? 0 : errno;
}

int metajob_cgroup_signal(int procs_fd, int sig) {
    // cgroup.procs is a seq_file: read it whole from the start, a pid per line.
    char text[4096];
    int sent = 0;
    off_t offset = 0;
    pid_t pid = 0;
    int digits = 0;
    for (;;) {
        ssize_t n = pread(procs_fd, text, sizeof text, offset);
        if (n < 0) return -errno;
        if (n == 0) break;
        offset += n;
        for (ssize_t i = 0; i < n; i++) {
            if (text[i] >= '0' && text[i] <= '9') {
                pid = pid * 10 + (text[i] - '0');
                digits++;
            } else {
                if (digits > 0 && pid > 0 && kill(pid, sig) == 0) sent++;
                pid = 0;
                digits = 0;
            }
        }
    }
    if (digits > 0 && pid > 0 && kill(pid, sig) == 0) sent++;
    return sent;
}

int metajob_cgroup_probe(int procs_fd) {
    // A throwaway child joins the cgroup and leaves: proves that this process may move processes there
    // (cgroup v2's delegation rules) before any job depends on it.
    volatile int error = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        if (write(procs_fd, "0", 1) != 1) error = errno != 0 ? errno : EIO;
        _exit(0);
    }
    if (pid < 0) return errno;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return error;
}
