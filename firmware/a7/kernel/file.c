/* The app's file descriptors and the calls on them. A descriptor is a struct file with
   the operations of its kind (console, device files, sockets, epoll, timerfd, eventfd);
   0, 1 and 2 are the console. Blocking calls wait in wait_until(): WFI on the timer, until
   the descriptor is ready, the timeout passes or a signal is pending. */
#include "kernel.h"
#include "linux.h"
#include "string.h"

#define PAGE 4096u

static struct file files[MAX_FDS];

void files_reset(void)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (files[i].ops && files[i].ops->release) files[i].ops->release(&files[i]);
    memset(files, 0, sizeof files);
    for (int i = 0; i < 3; i++) files[i] = (struct file){ .ops = &console_ops, .flags = 2 };
}

int fd_install(const struct file_ops *ops, uint32_t flags, int unit)
{
    for (int i = 0; i < MAX_FDS; i++) {
        if (!files[i].ops) {
            files[i] = (struct file){ .ops = ops, .flags = flags & (O_ACCMODE | O_NONBLOCK),
                                      .cloexec = !!(flags & O_CLOEXEC), .unit = unit };
            return i;
        }
    }
    return -EMFILE;
}

struct file *fd_get(int32_t fd)
{
    if (fd < 0 || fd >= MAX_FDS || !files[fd].ops) return 0;
    return &files[fd];
}

int32_t fd_close(int32_t fd)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    /* The same open file may sit behind dup'ed descriptors: release it with the last one. */
    int shared = 0;
    for (int i = 0; i < MAX_FDS; i++)
        if (i != fd && files[i].ops == f->ops && files[i].priv && files[i].priv == f->priv) shared = 1;
    if (!shared && f->ops->release) f->ops->release(f);
    memset(f, 0, sizeof *f);
    return 0;
}

static uint64_t wake_at;

void wait_hint(uint64_t when)
{
    if (when < wake_at) wake_at = when;
}

int32_t wait_until(int32_t (*fn)(void *ctx), void *ctx, uint64_t deadline)
{
    for (;;) {
        wake_at = deadline;
        mgmt_poll();                               /* "app stop" arrives while apps wait */
        proc_check_stop();
        int32_t r = fn(ctx);
        if (r != 0) return r;
        if (signal_pending()) return -EINTR;
        uint64_t now = time_ns();
        if (deadline != UINT64_MAX && now >= deadline) return 0;
        if (wake_at > now) sleep_ns(wake_at == UINT64_MAX ? 1000000000ull : wake_at - now);
    }
}

struct rw { struct file *f; char *buf; uint32_t len; int write; int32_t result; };

/* Done (1) with rw->result set, or 0 to wait: -EAGAIN from a blocking descriptor. */
static int32_t try_rw(void *ctx)
{
    struct rw *rw = ctx;
    rw->result = rw->write ? rw->f->ops->write(rw->f, rw->buf, rw->len)
                           : rw->f->ops->read(rw->f, rw->buf, rw->len);
    if (rw->result != -EAGAIN || rw->f->flags & O_NONBLOCK) return 1;
    if (rw->f->ops->deadline) wait_hint(rw->f->ops->deadline(rw->f));
    return 0;
}

static int32_t do_rw(struct file *f, char *buf, uint32_t len, int write)
{
    if (write ? !f->ops->write : !f->ops->read) return -EINVAL;
    if (!len) return 0;
    struct rw rw = { f, buf, len, write, 0 };
    int32_t r = wait_until(try_rw, &rw, UINT64_MAX);
    return r < 0 ? r : rw.result;
}

int32_t sys_read(int32_t fd, uint32_t buf, uint32_t len)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (!user_ok(buf, len, 1)) return -EFAULT;
    return do_rw(f, (char *)buf, len, 0);
}

int32_t sys_write(int32_t fd, uint32_t buf, uint32_t len)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (!user_ok(buf, len, 0)) return -EFAULT;
    return do_rw(f, (char *)buf, len, 1);
}

/* readv / writev: one call per iovec, stopping at a short transfer. */
int32_t sys_iov(int32_t fd, uint32_t iov, uint32_t count, int write)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (count > 1024) return -EINVAL;
    if (!user_ok(iov, count * 8u, 0)) return -EFAULT;
    const uint32_t *v = (const uint32_t *)iov;
    int32_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t base = v[2 * i], len = v[2 * i + 1];
        if (!user_ok(base, len, !write)) return total ? total : -EFAULT;
        int32_t r = do_rw(f, (char *)base, len, write);
        if (r < 0) return total ? total : r;
        total += r;
        if ((uint32_t)r < len) break;
    }
    return total;
}

int32_t sys_openat(int32_t dirfd, uint32_t path, uint32_t flags)
{
    char name[64];
    int r = user_string(path, name, sizeof name);
    if (r < 0) return r == -EFAULT ? -EFAULT : -ENOENT;
    if (name[0] != '/' && dirfd != AT_FDCWD) return -ENOENT;
    return dev_open(name, flags);
}

int32_t sys_unlinkat(int32_t dirfd, uint32_t path)
{
    char name[64];
    (void)dirfd;
    int r = user_string(path, name, sizeof name);
    if (r < 0) return r == -EFAULT ? -EFAULT : -ENOENT;
    return dev_unlink(name);
}

int32_t sys_ioctl(int32_t fd, uint32_t req, uint32_t arg)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (req == FIONBIO) {
        if (!user_ok(arg, 4, 0)) return -EFAULT;
        f->flags = *(const uint32_t *)arg ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
        return 0;
    }
    return f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
}

int32_t sys_fcntl(int32_t fd, uint32_t cmd, uint32_t arg)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    switch (cmd) {
    case F_GETFD: return f->cloexec;
    case F_SETFD: f->cloexec = arg & 1; return 0;
    case F_GETFL: return (int32_t)f->flags;
    case F_SETFL: f->flags = (f->flags & ~O_NONBLOCK) | (arg & O_NONBLOCK); return 0;
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: return sys_dup(fd, -1, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
    default: return -EINVAL;
    }
}

int32_t sys_dup(int32_t fd, int32_t to, uint32_t flags)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (to < 0) {
        for (to = 0; to < MAX_FDS && files[to].ops; to++) { }
        if (to == MAX_FDS) return -EMFILE;
    } else if (to >= MAX_FDS) {
        return -EBADF;
    } else if (to == fd) {
        return -EINVAL;
    } else if (files[to].ops) {
        fd_close(to);
    }
    files[to] = *f;
    files[to].cloexec = !!(flags & O_CLOEXEC);
    return to;
}

static uint32_t file_mode(const struct file *f) { return f->ops->mode | 0666u; }

int32_t sys_fstat64(int32_t fd, uint32_t buf)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (!user_ok(buf, sizeof(struct stat64), 1)) return -EFAULT;
    struct stat64 *st = (struct stat64 *)buf;
    memset(st, 0, sizeof *st);
    st->st_mode = file_mode(f);
    st->st_nlink = 1;
    st->st_ino = st->st_ino_lo = (uint32_t)fd + 1u;
    st->st_blksize = PAGE;
    if (f->ops->size) st->st_size = (int64_t)f->ops->size(f);
    return 0;
}

int32_t sys_statx(int32_t dirfd, uint32_t path, uint32_t flags, uint32_t buf)
{
    char name[4];
    if (!(flags & AT_EMPTY_PATH) || user_string(path, name, sizeof name) != 0) return -ENOENT;
    struct file *f = fd_get(dirfd);
    if (!f) return -EBADF;
    if (!user_ok(buf, sizeof(struct statx), 1)) return -EFAULT;
    struct statx *st = (struct statx *)buf;
    memset(st, 0, sizeof *st);
    st->stx_mask = 0x7FFu;                   /* STATX_BASIC_STATS */
    st->stx_blksize = PAGE;
    st->stx_nlink = 1;
    st->stx_mode = (uint16_t)file_mode(f);
    st->stx_ino = (uint32_t)dirfd + 1u;
    if (f->ops->size) st->stx_size = f->ops->size(f);
    return 0;
}

/* Seeking: regular files (mutable storage) only. */
static int64_t seek(int32_t fd, int64_t off, uint32_t whence)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (!f->ops->size) return -ESPIPE;
    int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->pos : whence == 2 ? (int64_t)f->ops->size(f) : -1;
    if (base < 0 || base + off < 0 || base + off > 0x7FFFFFFF) return -EINVAL;
    f->pos = (uint32_t)(base + off);
    return f->pos;
}

int32_t sys_lseek(int32_t fd, int32_t off, uint32_t whence) { return (int32_t)seek(fd, off, whence); }

int32_t sys_llseek(int32_t fd, uint32_t hi, uint32_t lo, uint32_t result, uint32_t whence)
{
    if (!user_ok(result, 8, 1)) return -EFAULT;
    int64_t r = seek(fd, (int64_t)((uint64_t)hi << 32 | lo), whence);
    if (r < 0) return (int32_t)r;
    memcpy((void *)result, &r, 8);
    return 0;
}

/* ftruncate: regular files (mutable storage) only, as Linux gives EINVAL for the rest. */
int32_t sys_ftruncate(int32_t fd, uint64_t len)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (!f->ops->truncate || (f->flags & O_ACCMODE) == 0) return -EINVAL;   /* not open for writing */
    return f->ops->truncate(f, len);
}

/* fsync/fdatasync: what a regular file holds is in the flash once write() returns. */
int32_t sys_fsync(int32_t fd)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    return f->ops->size ? 0 : -EINVAL;
}
