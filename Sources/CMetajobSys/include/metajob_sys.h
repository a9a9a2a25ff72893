#ifndef METAJOB_SYS_H
#define METAJOB_SYS_H

#include <pthread.h>
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

/// Spawns jobs: what every spawn shares, built once. Not thread-safe: one per executor, used on its queue.
typedef struct metajob_spawner metajob_spawner;

/// A new spawner, or NULL when out of memory.
metajob_spawner *metajob_spawner_create(void);

/// Frees a spawner (NULL is fine).
void metajob_spawner_destroy(metajob_spawner *spawner);

/// Spawns `path` with `argv` and `envp` (both NULL-terminated) in `cwd`, as the leader of a new process
/// group, with an empty signal mask, every catchable signal at its default action, stdin from /dev/null
/// and stdout/stderr to two new pipes. Returns 0 and fills `out`, or returns an errno value.
int metajob_spawn(metajob_spawner *spawner, const char *path, char *const argv[], char *const envp[],
                  const char *cwd, metajob_child *out);

/// Unblocks SIGCHLD on the calling thread (see ReadinessLoop for why).
void metajob_unblock_sigchld(void);

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

/// The live process groups the watchdog stops if metajob dies: shared between metajob (which writes it under
/// `lock`) and the watchdog (which reads it once metajob is gone). A slot holds a pgid, or 0 when free.
typedef struct metajob_watchdog_table {
    pthread_mutex_t lock;
    int32_t capacity;
    /// Slots [0, used) may hold groups.
    int32_t used;
    int32_t slots[];
} metajob_watchdog_table;

/// Forks the process-group watchdog: a small process that outlives metajob and, once metajob's end of the
/// returned socket closes (metajob exited or was killed), sends SIGTERM to every process group still
/// in the shared table (`*table`, room for `capacity` groups), then SIGKILL after `grace_ms`. Returns the
/// close-on-exec socket fd (and the watchdog's pid in `watchdog_pid`), or -errno.
int metajob_watchdog_start(int capacity, long grace_ms, pid_t *watchdog_pid, metajob_watchdog_table **table);

/// Adds a group to the table. Returns 0, or ENOSPC when the table is full (the group is then not tracked).
int metajob_watchdog_register(metajob_watchdog_table *table, pid_t group);

/// Removes a group from the table (no-op if absent).
void metajob_watchdog_unregister(metajob_watchdog_table *table, pid_t group);

/// Unmaps the table; only after the watchdog has been closed and reaped.
void metajob_watchdog_table_free(metajob_watchdog_table *table);

#endif
