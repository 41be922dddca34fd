/* A program that knows nothing of Azure Sphere: POSIX and the C library only (stdio, heap,
   strings, time, signals, epoll + timerfd + eventfd, atexit). Built with Debian's cross gcc
   and static glibc it runs as a high-level app; tests/test_posix_app.py also builds it for
   the host and checks that both print the same lines and exit with the same status. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

static volatile sig_atomic_t usr1_signo, usr1_code, term_seen;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
    (void)sig, (void)uc;
    usr1_signo = info->si_signo;
    usr1_code = info->si_code == SI_USER || info->si_code == SI_TKILL;
}

static void on_term(int sig) { term_seen = sig; }
static void at_exit(void) { printf("atexit handler ran\n"); }

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static long long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void heap(void)
{
    char *big = malloc(512 * 1024);              /* above the mmap threshold */
    memset(big, 'x', 512 * 1024);
    size_t total = 0;
    char *small[200];
    for (int i = 0; i < 200; i++) {
        small[i] = malloc((size_t)(16 + i * 8));
        snprintf(small[i], 16, "block %03d", 199 - i);
        total += strlen(small[i]);
    }
    qsort(small, 200, sizeof small[0], by_string);
    printf("heap: big[%d]=%c, %zu chars in 200 blocks, first \"%s\" last \"%s\"\n",
           512 * 1024 - 1, big[512 * 1024 - 1], total, small[0], small[199]);
    for (int i = 0; i < 200; i++) free(small[i]);
    char *bigger = realloc(big, 1024 * 1024);
    if (!bigger) {
        printf("heap: realloc to 1 MiB failed\n");
        exit(1);
    }
    bigger[1024 * 1024 - 1] = 'y';
    printf("heap: realloc kept '%c', grew to end in '%c'\n", bigger[0], bigger[1024 * 1024 - 1]);
    big = bigger;
    free(big);
}

static void strings(void)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%-6s|%6.2f|%+d|%#x|%e", "left", 3.14159, 42, 255, 12345.678);
    printf("strings: %s\n", buf);
    char *end;
    long v = strtol("  -123abc", &end, 10);
    printf("strings: strtol %ld rest \"%s\", strtod %.3f\n", v, end, strtod("2.5e3", NULL));
    char *dup = strdup("Azure Sphere");
    printf("strings: strstr \"%s\", strchr \"%s\", upper %c\n", strstr(dup, "Sph"),
           strchr(dup, ' ') + 1, dup[0]);
    free(dup);
    printf("strings: strerror(EAGAIN) \"%s\"\n", strerror(EAGAIN));
}

static void timing(void)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec pause = { 0, 50 * 1000000 };
    nanosleep(&pause, NULL);
    long long slept = ms_since(&t0);
    printf("time: nanosleep(50 ms) took at least 50 ms: %s\n", slept >= 50 ? "yes" : "no");
    time_t now = time(NULL);
    printf("time: time() works: %s\n", now != (time_t)-1 ? "yes" : "no");
}

static void signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("signals: SIGUSR1 handler saw signal %d from the process itself: %s\n",
           (int)usr1_signo, usr1_code ? "yes" : "no");

    signal(SIGTERM, on_term);
    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGTERM);
    sigpending(&pending);
    printf("signals: SIGTERM blocked, pending %d, handled %d\n", sigismember(&pending, SIGTERM),
           (int)term_seen);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("signals: SIGTERM unblocked, handled %d\n", (int)term_seen);
    signal(SIGPIPE, SIG_IGN);
    raise(SIGPIPE);
    printf("signals: ignored SIGPIPE changed nothing\n");
}

static void events(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int efd = eventfd(0, EFD_NONBLOCK);
    struct itimerspec period = { { 0, 100 * 1000000 }, { 0, 100 * 1000000 } };
    timerfd_settime(tfd, 0, &period, NULL);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = tfd };
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    ev.data.fd = efd;
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    int ticks = 0, kicks = 0;
    while (ticks < 3) {
        struct epoll_event got[2];
        int n = epoll_wait(ep, got, 2, 1000);
        for (int i = 0; i < n; i++) {
            uint64_t count;
            if (read(got[i].data.fd, &count, sizeof count) != sizeof count) continue;
            if (got[i].data.fd == tfd) {
                ticks++;
                printf("events: timer tick %d\n", ticks);
                if (ticks == 2) {
                    uint64_t one = 5;
                    write(efd, &one, sizeof one);
                }
            } else {
                kicks++;
                printf("events: eventfd read %llu\n", (unsigned long long)count);
            }
        }
    }
    uint64_t count;
    printf("events: %d kick(s); empty eventfd read gives %s\n", kicks,
           read(efd, &count, sizeof count) < 0 && errno == EAGAIN ? "EAGAIN" : "data");
    close(tfd);
    close(efd);
    close(ep);
}

int main(int argc, char **argv)
{
    (void)argv;
    atexit(at_exit);
    printf("posix-hl: argc %d, pid > 0: %s\n", argc, getpid() > 0 ? "yes" : "no");
    heap();
    strings();
    timing();
    signals();
    events();
    printf("posix-hl: exiting with 42\n");
    return 42;
}
