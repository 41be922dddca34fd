#ifndef SYS_TYPES_H
#define SYS_TYPES_H
#include <stddef.h>
typedef int ssize_t;
typedef long off_t;
#endif
