#ifndef METAJOB_SYS_H
#define METAJOB_SYS_H

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

/// Decodes a wait status: returns 1 and sets `*code` for a normal exit, 2 and sets `*code` to the signal
/// for a death by signal, 0 otherwise.
int metajob_decode_status(int status, int *code);

#endif
