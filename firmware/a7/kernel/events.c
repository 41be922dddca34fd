/* Waiting on many descriptors and the descriptors made for it: epoll (level-triggered;
   EPOLLONESHOT honoured, EPOLLET treated as level), poll/ppoll, timerfd (on the virtual
   clock; expirations counted exactly, however late the app reads) and eventfd. */
#include "kernel.h"
#include "linux.h"
#include "string.h"

#define MAX_EPOLL   4
#define MAX_WATCH   32
#define TFD_NONBLOCK O_NONBLOCK
#define EFD_SEMAPHORE 1u

/* --- timerfd: a = next expiry (ns since boot, 0 = disarmed), b = interval, c = count. */
static void timer_update(struct file *f)
{
    uint64_t now = time_ns();
    if (!f->a || now < f->a) return;
    if (f->b) {
        uint64_t n = (now - f->a) / f->b + 1;
        f->c += n;
        f->a += n * f->b;
    } else {
        f->c++;
        f->a = 0;
    }
}

static int32_t timer_read(struct file *f, char *buf, uint32_t len)
{
    if (len < 8) return -EINVAL;
    timer_update(f);
    if (!f->c) return -EAGAIN;
    memcpy(buf, &f->c, 8);
    f->c = 0;
    return 8;
}

static uint32_t timer_poll(struct file *f)
{
    timer_update(f);
    return f->c ? POLLIN : 0;
}

static uint64_t timer_deadline(struct file *f) { return f->a ? f->a : UINT64_MAX; }

static const struct file_ops timerfd_ops = {
    .name = "timerfd", .read = timer_read, .poll = timer_poll, .deadline = timer_deadline,
};

int32_t sys_timerfd_create(uint32_t clock, uint32_t flags)
{
    if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME && clock != CLOCK_BOOTTIME) return -EINVAL;
    return fd_install(&timerfd_ops, (flags & (TFD_NONBLOCK | O_CLOEXEC)) | 2u, (int)clock);
}

static struct file *timerfd(int32_t fd, int32_t *err)
{
    struct file *f = fd_get(fd);
    *err = !f ? -EBADF : f->ops != &timerfd_ops ? -EINVAL : 0;
    return *err ? 0 : f;
}

static int32_t timer_current(struct file *f, uint32_t out, int t64)
{
    uint64_t now = time_ns(), left = f->a > now ? f->a - now : 0;
    uint32_t half = t64 ? sizeof(struct timespec64) : sizeof(struct timespec32);
    int r = write_timespec(out, t64, f->b);
    return r < 0 ? r : write_timespec(out + half, t64, f->a ? left : 0);
}

int32_t sys_timerfd_settime(int32_t fd, uint32_t flags, uint32_t new, uint32_t old, int t64)
{
    int32_t err;
    struct file *f = timerfd(fd, &err);
    if (!f) return err;
    uint32_t half = t64 ? sizeof(struct timespec64) : sizeof(struct timespec32);
    uint64_t interval, value;
    int r = read_timespec(new, t64, &interval);
    if (r < 0 || (r = read_timespec(new + half, t64, &value)) < 0) return r;
    timer_update(f);
    if (old && (r = timer_current(f, old, t64)) < 0) return r;
    f->b = interval;
    f->c = 0;
    if (!value) f->a = 0;
    else f->a = flags & TFD_TIMER_ABSTIME ? (value ? value : 1) : time_ns() + value;
    return 0;
}

int32_t sys_timerfd_gettime(int32_t fd, uint32_t cur, int t64)
{
    int32_t err;
    struct file *f = timerfd(fd, &err);
    if (!f) return err;
    timer_update(f);
    return timer_current(f, cur, t64);
}

/* --- eventfd: a = the counter. */
static int32_t event_read(struct file *f, char *buf, uint32_t len)
{
    if (len < 8) return -EINVAL;
    if (!f->a) return -EAGAIN;
    uint64_t v = f->unit ? 1 : f->a;
    f->a -= v;
    memcpy(buf, &v, 8);
    return 8;
}

static int32_t event_write(struct file *f, const char *buf, uint32_t len)
{
    uint64_t v;
    if (len < 8) return -EINVAL;
    memcpy(&v, buf, 8);
    if (v == UINT64_MAX) return -EINVAL;
    if (v > UINT64_MAX - 1 - f->a) return -EAGAIN;
    f->a += v;
    return 8;
}

static uint32_t event_poll(struct file *f)
{
    return (f->a ? POLLIN : 0) | (f->a < UINT64_MAX - 1 ? POLLOUT : 0);
}

static const struct file_ops eventfd_ops = {
    .name = "eventfd", .read = event_read, .write = event_write, .poll = event_poll,
};

int32_t sys_eventfd2(uint32_t initval, uint32_t flags)
{
    int fd = fd_install(&eventfd_ops, (flags & (O_NONBLOCK | O_CLOEXEC)) | 2u, !!(flags & EFD_SEMAPHORE));
    if (fd >= 0) fd_get(fd)->a = initval;
    return fd;
}

/* --- poll and epoll, over each kind's poll() and deadline(). */
static uint32_t ready(struct file *f)
{
    if (!f->ops->poll) return POLLIN | POLLOUT;
    uint32_t r = f->ops->poll(f);
    if (!(r & POLLIN) && f->ops->deadline) wait_hint(f->ops->deadline(f));
    return r;
}

struct watch { int32_t fd; uint32_t events; uint64_t data; int used; };
struct epoll { struct watch w[MAX_WATCH]; int used; };
static struct epoll epolls[MAX_EPOLL];

static void epoll_release(struct file *f)
{
    memset(f->priv, 0, sizeof(struct epoll));
}

static const struct file_ops epoll_ops = { .name = "epoll", .release = epoll_release };

int32_t sys_epoll_create1(uint32_t flags)
{
    if (flags & ~O_CLOEXEC) return -EINVAL;
    for (int i = 0; i < MAX_EPOLL; i++) {
        if (epolls[i].used) continue;
        int fd = fd_install(&epoll_ops, flags | 2u, i);
        if (fd < 0) return fd;
        memset(&epolls[i], 0, sizeof epolls[i]);
        epolls[i].used = 1;
        fd_get(fd)->priv = &epolls[i];
        return fd;
    }
    return -EMFILE;
}

static struct epoll *epoll_of(int32_t epfd, int32_t *err)
{
    struct file *f = fd_get(epfd);
    *err = !f ? -EBADF : f->ops != &epoll_ops ? -EINVAL : 0;
    return *err ? 0 : f->priv;
}

int32_t sys_epoll_ctl(int32_t epfd, uint32_t op, int32_t fd, uint32_t event)
{
    int32_t err;
    struct epoll *ep = epoll_of(epfd, &err);
    if (!ep) return err;
    if (!fd_get(fd)) return -EBADF;
    if (fd == epfd) return -EINVAL;
    struct epoll_event ev = { 0, 0, 0 };
    if (op != EPOLL_CTL_DEL) {
        if (!user_ok(event, sizeof ev, 0)) return -EFAULT;
        memcpy(&ev, (const void *)event, sizeof ev);
    }
    struct watch *w = 0, *free_slot = 0;
    for (int i = 0; i < MAX_WATCH; i++) {
        if (ep->w[i].used && ep->w[i].fd == fd) w = &ep->w[i];
        else if (!ep->w[i].used && !free_slot) free_slot = &ep->w[i];
    }
    switch (op) {
    case EPOLL_CTL_ADD:
        if (w) return -EEXIST;
        if (!free_slot) return -ENOSPC;
        *free_slot = (struct watch){ fd, ev.events | POLLERR | POLLHUP, ev.data, 1 };
        return 0;
    case EPOLL_CTL_MOD:
        if (!w) return -ENOENT;
        *w = (struct watch){ fd, ev.events | POLLERR | POLLHUP, ev.data, 1 };
        return 0;
    case EPOLL_CTL_DEL:
        if (!w) return -ENOENT;
        w->used = 0;
        return 0;
    default:
        return -EINVAL;
    }
}

struct epoll_wait_ctx { struct epoll *ep; struct epoll_event *out; int32_t max; };

static int32_t epoll_collect(void *ctx)
{
    struct epoll_wait_ctx *c = ctx;
    int32_t n = 0;
    for (int i = 0; i < MAX_WATCH && n < c->max; i++) {
        struct watch *w = &c->ep->w[i];
        if (!w->used || !(w->events & ~(POLLERR | POLLHUP))) continue;
        struct file *f = fd_get(w->fd);
        if (!f) { w->used = 0; continue; }        /* closed: Linux drops it too */
        uint32_t r = ready(f) & w->events;
        if (!r) continue;
        c->out[n++] = (struct epoll_event){ r, 0, w->data };
        if (w->events & EPOLLONESHOT) w->events &= POLLERR | POLLHUP;
    }
    return n;
}

int32_t sys_epoll_wait(int32_t epfd, uint32_t events, int32_t max, int32_t timeout_ms)
{
    int32_t err;
    struct epoll *ep = epoll_of(epfd, &err);
    if (!ep) return err;
    if (max <= 0 || max > 1024) return -EINVAL;
    if (!user_ok(events, (uint32_t)max * sizeof(struct epoll_event), 1)) return -EFAULT;
    struct epoll_wait_ctx c = { ep, (struct epoll_event *)events, max };
    uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : time_ns() + (uint64_t)timeout_ms * 1000000u;
    int32_t r = wait_until(epoll_collect, &c, deadline ? deadline : 1);
    return r;
}

struct poll_ctx { struct pollfd *fds; uint32_t n; };

static int32_t poll_collect(void *ctx)
{
    struct poll_ctx *c = ctx;
    int32_t n = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        struct pollfd *p = &c->fds[i];
        p->revents = 0;
        if (p->fd < 0) continue;
        struct file *f = fd_get(p->fd);
        p->revents = (int16_t)(f ? ready(f) & ((uint16_t)p->events | POLLERR | POLLHUP) : POLLNVAL);
        if (p->revents) n++;
    }
    return n;
}

int32_t sys_poll(uint32_t fds, uint32_t nfds, uint64_t deadline)
{
    if (nfds > MAX_FDS * 4u) return -EINVAL;
    if (!user_ok(fds, nfds * sizeof(struct pollfd), 1)) return -EFAULT;
    struct poll_ctx c = { (struct pollfd *)fds, nfds };
    return wait_until(poll_collect, &c, deadline ? deadline : 1);
}
