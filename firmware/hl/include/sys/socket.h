/* send()/recv() on the inter-core socket Application_Connect returns. Non-blocking:
   recv() fails with EAGAIN when no message is waiting. */
#ifndef SYS_SOCKET_H
#define SYS_SOCKET_H
#include <sys/types.h>
ssize_t send(int sockfd, const void *buf, size_t len, int flags);
ssize_t recv(int sockfd, void *buf, size_t len, int flags);
#endif
