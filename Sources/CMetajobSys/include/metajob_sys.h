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

/// What a spawned job joins before it execs, so it never runs untracked.
typedef struct metajob_containment {
    /// An open (write-only) `cgroup.procs` of the job's cgroup v2, or -1 for none.
    int cgroup_procs_fd;
    /// The watchdog slot reserved for the job: the child stores its pid (= its group) there; NULL for none.
    int32_t *watchdog_slot;
} metajob_containment;

/// Spawns `path` with `argv` and `envp` (both NULL-terminated) in `cwd`, as the leader of a new session
/// (no controlling terminal) and process group, with an empty signal mask, every catchable signal at its default action, stdin from /dev/null
/// and stdout/stderr to two new pipes. Returns 0 and fills `out`, or returns an errno value.
int metajob_spawn(metajob_spawner *spawner, const char *path, char *const argv[], char *const envp[],
                  const char *cwd, metajob_child *out);

/// `metajob_spawn`, and before execve the child joins `contain`'s cgroup and stores its pid in its watchdog
/// slot (`contain` may be NULL). A failed join fails the spawn with its errno.
int metajob_spawn_contained(metajob_spawner *spawner, const char *path, char *const argv[], char *const envp[],
                            const char *cwd, const metajob_containment *contain, metajob_child *out);

/// 1 if the cgroup whose `cgroup.events` is open as `events_fd` holds a live process, 0 if not, or -errno.
int metajob_cgroup_populated(int events_fd);

/// Kills every process in a cgroup (and its descendants) by writing its open `cgroup.kill`. 0 or errno.
int metajob_cgroup_kill(int kill_fd);

/// Sends `sig` to every process listed in an open (read-only) `cgroup.procs`. Returns how many, or -errno.
int metajob_cgroup_signal(int procs_fd, int sig);

/// Checks that a child of this process can join the cgroup of the open `cgroup.procs`. 0 or errno.
int metajob_cgroup_probe(int procs_fd);

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
/// `lock`, and whose spawned children store their pid in a reserved slot) and the watchdog (which reads it
/// once metajob is gone). A slot holds a pgid, 0 when free, or -1 while reserved for a child not yet started.
typedef struct metajob_watchdog_table {
    pthread_mutex_t lock;
    int32_t capacity;
    /// Slots [0, used) may hold groups.
    int32_t used;
    /// Job cgroups named 0 ..< cgroups exist under the run's cgroup (the watchdog removes them at the end).
    int32_t cgroups;
    /// 1 while the run's cgroup directory is (about to be) metajob's: set before its mkdir, cleared if the
    /// mkdir fails, so the watchdog never touches a directory metajob did not make.
    int32_t cgroup_claimed;
    int32_t slots[];
} metajob_watchdog_table;

/// The process-group watchdog as metajob sees it: the process, the table shared with it, and a thread that
/// starts a new watchdog (same table, same cgroup) if the process dies while metajob runs.
typedef struct metajob_watchdog metajob_watchdog;

/// Forks the watchdog: a small process in a session of its own (a kill of metajob's process group does not
/// reach it) that, once metajob's end of their socket closes (metajob exited or was killed), sends SIGTERM and
/// SIGCONT to every group in the table and every process in the job cgroups under `cgroup_dir` (NULL: none),
/// then, after `grace_ms` or as soon as all are gone, SIGKILL to the groups and `cgroup.kill` to `cgroup_dir`,
/// and removes the job cgroups and `cgroup_dir`. Returns the watchdog, or NULL with `*error` set.
metajob_watchdog *metajob_watchdog_start(int capacity, long grace_ms, const char *cgroup_dir, int *error);

/// The table shared with the watchdog.
metajob_watchdog_table *metajob_watchdog_shared_table(metajob_watchdog *watchdog);

/// The watchdog process's pid now (it changes when a dead watchdog is replaced).
pid_t metajob_watchdog_pid(metajob_watchdog *watchdog);

/// How many times a dead watchdog was replaced.
int metajob_watchdog_restarts(metajob_watchdog *watchdog);

/// Ends the watchdog (it stops whatever is still registered and removes the cgroups), reaps it and frees
/// everything.
void metajob_watchdog_stop(metajob_watchdog *watchdog);

/// Reserves a slot for a job about to be spawned. Returns its index, or -1 when the table is full.
int32_t metajob_watchdog_reserve(metajob_watchdog_table *table);

/// The slot at `index`, for the spawned child to store its pid into.
int32_t *metajob_watchdog_slot(metajob_watchdog_table *table, int32_t index);

/// Frees the slot at `index` (before the job's leader is reaped, while its pgid cannot be reused).
void metajob_watchdog_release(metajob_watchdog_table *table, int32_t index);

/// Adds a group to the table. Returns 0, or ENOSPC when the table is full (the group is then not tracked).
int metajob_watchdog_register(metajob_watchdog_table *table, pid_t group);

/// Removes a group from the table (no-op if absent).
void metajob_watchdog_unregister(metajob_watchdog_table *table, pid_t group);

/// A new job cgroup's number under the run's cgroup; the watchdog removes 0 ..< this at the end.
int32_t metajob_watchdog_next_cgroup(metajob_watchdog_table *table);

/// Marks the run's cgroup directory as metajob's (1, before creating it) or not (0, when creating failed).
void metajob_watchdog_claim_cgroup(metajob_watchdog_table *table, int32_t claimed);


/// A listening Unix-domain stream socket at `path` (close-on-exec, non-blocking), its file mode set to `mode`
/// before it listens. Returns the fd, or -errno (-ENAMETOOLONG when the path does not fit).
int metajob_unix_listen(const char *path, int mode, int backlog);

/// A blocking, close-on-exec connection to the Unix-domain socket at `path`. Returns the fd, or -errno.
int metajob_unix_connect(const char *path);

/// Accepts one connection (non-blocking, close-on-exec). Returns the fd, or -errno.
int metajob_unix_accept(int fd);

/// The peer's user and process (SO_PEERCRED, set by the kernel at connect time). Returns 0 or errno.
int metajob_peer_credentials(int fd, uid_t *uid, pid_t *pid);

/// Sends without raising SIGPIPE and without blocking. Returns bytes sent, or -errno.
long metajob_send_nowait(int fd, const void *bytes, unsigned long count);

/// Sends `count` (at most 256) buffers in one call, in order, without raising SIGPIPE and without blocking.
/// Returns bytes sent, or -errno.
long metajob_sendv_nowait(int fd, const void *const *bases, const unsigned long *lengths, int count);

/// Sends (blocking until some bytes went) without raising SIGPIPE. Returns bytes sent, or -errno.
long metajob_send_blocking(int fd, const void *bytes, unsigned long count);

/// Starts `path` in its own session (no controlling terminal), stdin and stdout /dev/null, stderr `report_fd`
/// (`metajob run --detach`); `leash_fd` (or -1) becomes the child's fd 3 (a dashboard's run in the background).
/// Returns 0 and sets `pid`, or an errno.
int metajob_spawn_detached(const char *path, char *const argv[], char *const envp[], int report_fd, int leash_fd, pid_t *pid);

#endif
