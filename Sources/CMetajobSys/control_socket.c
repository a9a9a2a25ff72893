#define _GNU_SOURCE
#include "metajob_sys.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

long metajob_send_blocking(int fd, const void *bytes, unsigned long count) {
    ssize_t sent = send(fd, bytes, count, MSG_NOSIGNAL);
    return sent < 0 ? -errno : (long)sent;
}
