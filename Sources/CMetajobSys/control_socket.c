#define _GNU_SOURCE
#include "metajob_sys.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static int fill_address(struct sockaddr_un *address, const char *path) {
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof address->sun_path) return -ENAMETOOLONG;
    memcpy(address->sun_path, path, length + 1);
    return 0;
}

int metajob_unix_listen(const char *path, int mode, int backlog) {
    struct sockaddr_un address;
    int bad = fill_address(&address, path);
    if (bad) return bad;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -errno;
    // Nobody can connect before listen(), so the mode is set in time; the directory (0700) guards it anyway.
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || chmod(path, (mode_t)mode) != 0
        || listen(fd, backlog) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int metajob_unix_connect(const char *path) {
    struct sockaddr_un address;
    int bad = fill_address(&address, path);
    if (bad) return bad;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int result;
    do {
        result = connect(fd, (struct sockaddr *)&address, sizeof address);
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int metajob_unix_accept(int fd) {
    int client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return client < 0 ? -errno : client;
}

int metajob_peer_credentials(int fd, uid_t *uid, pid_t *pid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return errno;
    *uid = credentials.uid;
    *pid = credentials.pid;
    return 0;
}

long metajob_send_nowait(int fd, const void *bytes, unsigned long count) {
    ssize_t sent = send(fd, bytes, count, MSG_NOSIGNAL | MSG_DONTWAIT);
    return sent < 0 ? -errno : (long)sent;
}

long metajob_sendv_nowait(int fd, const void *const *bases, const unsigned long *lengths, int count) {
    struct iovec iov[256];
    if (count < 1 || count > 256) return -EINVAL;
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = (void *)bases[i];
        iov[i].iov_len = lengths[i];
    }
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = iov;
    message.msg_iovlen = (size_t)count;
    ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    return sent < 0 ? -errno : (long)sent;
}

long metajob_send_blocking(int fd, const void *bytes, unsigned long count) {
    ssize_t sent = send(fd, bytes, count, MSG_NOSIGNAL);
    return sent < 0 ? -errno : (long)sent;
}

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

int metajob_spawn_detached(const char *path, char *const argv[], char *const envp[], int report_fd, int leash_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    // Its own session: no controlling terminal, so closing this terminal (SIGHUP) never reaches the run.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, report_fd, 2);
    // The leash (a dashboard's run in the background): the child sees it as fd 3 and ends its run when it
    // closes without a detach.
    if (leash_fd >= 0) posix_spawn_file_actions_adddup2(&actions, leash_fd, 3);
    // Nothing else of ours: an inherited pipe would keep whoever reads our output waiting until the run ends.
    posix_spawn_file_actions_addclosefrom_np(&actions, leash_fd >= 0 ? 4 : 3);
    int result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return result;
}
