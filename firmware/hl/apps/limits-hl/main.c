/* Asking for what the kernel does not have: a system call it does not implement (ENOSYS,
   logged once by name however often it is made). Then running out: the heap until malloc() says no (the kernel refuses more pages and says so
   once), then the stack, recursing until it runs into the guard below it and the kernel
   ends the app with "stack overflow". Nothing else on the device is disturbed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Deeper until told to stop, which nothing does: the bound only keeps the compiler from
   calling the recursion infinite. */
static int recurse(int depth, int limit)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth == limit) return frame[0];
    return recurse(depth + 1, limit) + frame[0];
}

int main(void)
{
    for (int i = 0; i < 2; i++) {
        long r = syscall(SYS_inotify_init1, 0);
        printf("limits-hl: inotify_init1 -> %ld, errno %s\n", r, errno == ENOSYS ? "ENOSYS" : "other");
    }
    size_t kib = 0;
    void *block;
    while ((block = malloc(64 * 1024)) != NULL) {
        memset(block, 0xA5, 64 * 1024);
        kib += 64;
    }
    printf("limits-hl: malloc returned NULL after %zu KiB, errno %s\n", kib,
           errno == ENOMEM ? "ENOMEM" : "other");
    printf("limits-hl: recursing\n");
    return recurse(0, (int)(kib * 1024));
}
