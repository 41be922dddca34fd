/* EventLoop over epoll: each registration is the epoll data of its descriptor. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <applibs/eventloop.h>

struct EventLoop { int epfd; int stop; };
struct EventRegistration { int fd; EventLoopIoCallback *callback; void *context; };

EventLoop *EventLoop_Create(void)
{
    EventLoop *el = calloc(1, sizeof *el);
    if (!el) return NULL;
    el->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (el->epfd < 0) {
        free(el);
        return NULL;
    }
    return el;
}

void EventLoop_Close(EventLoop *el)
{
    if (!el) return;
    close(el->epfd);
    free(el);
}

int EventLoop_GetWaitDescriptor(EventLoop *el) { return el ? el->epfd : (errno = EINVAL, -1); }

int EventLoop_Stop(EventLoop *el)
{
    if (!el) return errno = EINVAL, -1;
    el->stop = 1;
    return 0;
}

EventRegistration *EventLoop_RegisterIo(EventLoop *el, int fd, EventLoop_IoEvents eventBitmask,
                                        EventLoopIoCallback *callback, void *context)
{
    if (!el || !callback) return errno = EINVAL, NULL;
    EventRegistration *reg = malloc(sizeof *reg);
    if (!reg) return NULL;
    *reg = (EventRegistration){ fd, callback, context };
    struct epoll_event ev = { .events = eventBitmask, .data.ptr = reg };
    if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int saved = errno;
        free(reg);
        errno = saved;
        return NULL;
    }
    return reg;
}

int EventLoop_ModifyIoEvents(EventLoop *el, EventRegistration *reg, EventLoop_IoEvents eventBitmask)
{
    if (!el || !reg) return errno = EINVAL, -1;
    struct epoll_event ev = { .events = eventBitmask, .data.ptr = reg };
    return epoll_ctl(el->epfd, EPOLL_CTL_MOD, reg->fd, &ev);
}

int EventLoop_UnregisterIo(EventLoop *el, EventRegistration *reg)
{
    if (!el || !reg) return errno = EINVAL, -1;
    int r = epoll_ctl(el->epfd, EPOLL_CTL_DEL, reg->fd, NULL);
    free(reg);
    return r;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

EventLoop_Run_Result EventLoop_Run(EventLoop *el, int duration_in_milliseconds, bool process_one_event)
{
    if (!el) return errno = EINVAL, EventLoop_Run_Failed;
    long long end = now_ms() + duration_in_milliseconds;
    int handled = 0;
    el->stop = 0;
    for (;;) {
        int timeout = duration_in_milliseconds < 0 ? -1 : (int)(end - now_ms());
        if (timeout < 0 && duration_in_milliseconds >= 0) timeout = 0;
        struct epoll_event ev;
        int n = epoll_wait(el->epfd, &ev, 1, timeout);
        if (n < 0) return EventLoop_Run_Failed;   /* EINTR too: a signal handler ran */
        if (n == 1) {
            EventRegistration *reg = ev.data.ptr;
            reg->callback(el, reg->fd, ev.events, reg->context);
            handled = 1;
        }
        if (el->stop || duration_in_milliseconds == 0 || (handled && process_one_event) ||
            (duration_in_milliseconds > 0 && now_ms() >= end))
            return handled ? EventLoop_Run_Finished : EventLoop_Run_FinishedEmpty;
    }
}
