/* Virtual time from the A7 generic timer, through the kernel. */
#ifndef TIME_H
#define TIME_H
typedef long long time_t;
struct timespec { time_t tv_sec; long tv_nsec; };
typedef int clockid_t;
#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
int clock_gettime(clockid_t clock, struct timespec *tp);
int nanosleep(const struct timespec *req, struct timespec *rem);
#endif
