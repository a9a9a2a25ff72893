#ifndef METAJOB_SYS_H
#define METAJOB_SYS_H

#include <stdint.h>
#include <sys/types.h>

/// A spawned job: its pid (also its process group id) and the parent's read ends of its output pipes.
typedef struct metajob_child {
    pid_t pid;
    /// Non-blocking, close-on-exec read end of the job's stdout pipe.
    int stdout_fd;
    /// Non-blocking, close-on-exec read end of the job's stderr pipe.
    int stderr_fd;
} metajob_child;

/// Spawns `path` with `argv` and `envp` (both NULL-terminated) in `cwd`, as the leader of a new process
/// group, with an empty signal mask, every catchable signal at its default action, stdin from /dev/null
/// and stdout/stderr to two new pipes. Returns 0 and fills `out`, or returns an errno value.
int metajob_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                  metajob_child *out);

/// Opens a pidfd for `pid` (readable once the process exits). Returns the fd, or -errno.
int metajob_pidfd_open(pid_t pid);

/// Blocks until `pid` has exited, without reaping it (WNOWAIT). Returns 0, or an errno value.
int metajob_wait_exit_nowait(pid_t pid);

/// Reaps `pid` (retrying on EINTR). Returns 0 and stores the wait status, or returns an errno value.
int metajob_reap(pid_t pid, int *status);

/// 1 if `pid` (our child) has exited and waits to be reaped, else 0; never blocks and never reaps.
int metajob_has_exited(pid_t pid);

/// Decodes a wait status: returns 1 and sets `*code` for a normal exit, 2 and sets `*code` to the signal
/// for a death by signal, 0 otherwise.
int metajob_decode_status(int status, int *code);

/// Creates a close-on-exec epoll instance. Returns the fd, or -errno.
int metajob_epoll_create(void);

/// Watches `fd` for input (level-triggered, one-shot: re-arm with metajob_epoll_rearm) under `token`.
/// Returns 0 or an errno value.
int metajob_epoll_add(int epfd, int fd, unsigned long long token);

/// Re-arms a one-shot watch. Returns 0 or an errno value.
int metajob_epoll_rearm(int epfd, int fd, unsigned long long token);

/// Stops watching `fd`. Returns 0 or an errno value.
int metajob_epoll_remove(int epfd, int fd);

/// Waits for events (timeout in ms, -1 forever); fills `tokens` and `events` (1 = input or hang-up).
/// Returns the number of events, 0 on EINTR, or -errno.
int metajob_epoll_wait(int epfd, unsigned long long *tokens, unsigned int *events, int max, int timeout_ms);

/// Sets a pipe's capacity (F_SETPIPE_SZ; the kernel rounds up). Returns 0 or errno.
int metajob_set_pipe_size(int fd, int bytes);

/// A close-on-exec eventfd, to wake an epoll loop. Returns the fd, or -errno.
int metajob_eventfd(void);

/// Forks the process-group watchdog: a small process that outlives metajob and, once metajob's end of the
/// returned socket closes (metajob exited or was killed), sends SIGTERM to every process group still
/// registered, then SIGKILL after `grace_ms`. Register a group with metajob_watchdog_send(fd, pgid) and
/// remove it with metajob_watchdog_send(fd, -pgid). Returns the close-on-exec socket fd (and the
/// watchdog's pid in `watchdog_pid`), or -errno.
int metajob_watchdog_start(int capacity, long grace_ms, pid_t *watchdog_pid);

/// Sends one watchdog record (+pgid registers, -pgid removes). Returns 0 or an errno value (EPIPE when
/// the watchdog is gone); never raises SIGPIPE.
int metajob_watchdog_send(int fd, int32_t record);

#endif
