/* errno for high-level apps: set by the applibs wrappers when a system call fails. */
#ifndef ERRNO_H
#define ERRNO_H
#include "sphere_syscall.h"
extern int errno;
#endif
