/* File-descriptor calls on what applibs opens (GPIO, UART, sockets, mutable storage). */
#ifndef UNISTD_H
#define UNISTD_H
#include <sys/types.h>
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
ssize_t write(int fd, const void *buf, size_t count);
ssize_t read(int fd, void *buf, size_t count);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
unsigned int sleep(unsigned int seconds);
int usleep(unsigned int usec);
#endif
