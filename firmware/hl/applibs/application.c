/* Application_Connect: a sequenced-packet socket connected to "rtapp:<component ID>"; the
   kernel checks both manifests' AllowedApplicationConnections when it connects. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <applibs/application.h>

int Application_Connect(const char *componentId)
{
    if (!componentId || strlen(componentId) != 36) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, "rtapp:", 6);
    memcpy(addr.sun_path + 6, componentId, 36);
    if (connect(fd, (const struct sockaddr *)&addr, sizeof addr) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
