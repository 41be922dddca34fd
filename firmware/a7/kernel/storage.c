/* Mutable storage: the app's one file (/mnt/config/mutable_storage, what
   Storage_OpenMutableFile opens), at most MutableStorage.SizeKB KiB, kept across boots in
   the mutable-storage flash under the app's component ID. The flash block moves bytes
   between a partition and memory; the format is ours (docs/kernel-and-apps.md):

       magic "MST1" | data length | CRC-32 of the data | component ID (16 bytes) | 0 | data

   The kernel works on a copy in SYSRAM (STORAGE_PHYS): loaded on the first open of a boot,
   programmed back whole after every change, so a write() that returned is in the flash.
   A partition that fails the checks (truncated, foreign, bad checksum) is never used or
   overwritten: opening fails with EIO, as applibs documents for a file it cannot give,
   and Storage_DeleteMutableFile is the way back to an empty file. */
#include "kernel.h"
#include "linux.h"
#include "mt3620-a7.h"
#include "string.h"

#define MAGIC 0x3154534Du                          /* "MST1" */
#define FLASH_TIMEOUT_NS 1000000000ull             /* far above the longest program */

struct header {
    uint32_t magic, length, crc;
    uint8_t component_id[16];
    uint32_t reserved;
};

enum state { UNREAD, READY, CORRUPT };
static enum state state;
static uint8_t loaded_for[16];                     /* the component ID the copy belongs to */
static int exists;                                 /* the app has a storage file */
static uint32_t length;

static struct header *hdr(void) { return (struct header *)STORAGE_PHYS; }
static char *data(void) { return (char *)STORAGE_PHYS + sizeof(struct header); }
static uint32_t quota(void) { return proc_manifest()->storage_kb * 1024u; }

static uint32_t crc32(const char *p, uint32_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < n; i++) {
        crc ^= (uint8_t)p[i];
        for (int b = 0; b < 8; b++) crc = crc >> 1 ^ (0xEDB88320u & -(crc & 1u));
    }
    return ~crc;
}

static int flash_idle(void *ctx) { (void)ctx; return !(SF_STATUS & SF_BUSY); }

/* One flash command on the app's partition; its result (SF_*), or -1 if it never ends. */
static int flash(uint32_t cmd, const uint8_t id[16], uint32_t len)
{
    for (int i = 0; i < 4; i++)
        SF_KEY(i) = id[4 * i] | id[4 * i + 1] << 8 | id[4 * i + 2] << 16 | (uint32_t)id[4 * i + 3] << 24;
    SF_ADDR = STORAGE_PHYS;
    SF_CAP = STORAGE_SIZE;
    SF_LEN = len;
    SF_INT_STATUS = 1u;
    SF_INT_ENABLE = 1u;
    SF_CMD = cmd;
    int done = irq_wait(GIC_ID_STORAGE_FLASH, flash_idle, 0, FLASH_TIMEOUT_NS);
    SF_INT_ENABLE = 0;
    SF_INT_STATUS = 1u;
    return done ? (int)SF_RESULT(SF_STATUS) : -1;
}

static void corrupt(const char *why)
{
    state = CORRUPT;
    kprintf("[kernel] mutable storage of %s (%s): %s; Storage_OpenMutableFile fails with EIO "
            "until Storage_DeleteMutableFile\n", proc_name(), proc_manifest()->component_id, why);
}

/* The app's partition into the SYSRAM copy, once per boot (and again for another app). */
static void load(void)
{
    uint8_t id[16];
    guid_to_bytes(proc_manifest()->component_id, id);
    if (state != UNREAD && memcmp(id, loaded_for, 16) == 0) return;
    memcpy(loaded_for, id, 16);
    state = READY;
    exists = 0;
    length = 0;
    int r = flash(SF_CMD_LOAD, id, 0);
    if (r == SF_EMPTY) return;
    if (r == SF_TOO_BIG) return corrupt("larger than any quota");
    if (r != SF_OK) return corrupt("the flash could not be read");
    uint32_t got = SF_LEN;
    const struct header *h = hdr();
    if (got < sizeof *h || h->magic != MAGIC) return corrupt("not a mutable storage partition");
    if (memcmp(h->component_id, id, 16) != 0) return corrupt("it belongs to another component");
    if (h->length != got - sizeof *h) return corrupt("truncated or overlong");
    if (h->length > STORAGE_SIZE - sizeof *h || h->crc != crc32(data(), h->length))
        return corrupt("checksum mismatch");
    exists = 1;
    length = h->length;
}

/* The copy back into the flash: 0, or -EIO. */
static int32_t commit(void)
{
    struct header *h = hdr();
    h->magic = MAGIC;
    h->length = length;
    h->crc = crc32(data(), length);
    memcpy(h->component_id, loaded_for, 16);
    h->reserved = 0;
    if (flash(SF_CMD_PROGRAM, loaded_for, sizeof *h + length) != SF_OK) {
        kprintf("[kernel] mutable storage of %s: the flash could not be programmed\n", proc_name());
        return -EIO;
    }
    exists = 1;
    return 0;
}

static int32_t storage_read(struct file *f, char *buf, uint32_t len)
{
    uint32_t n = f->pos < length ? length - f->pos : 0;
    if (n > len) n = len;
    memcpy(buf, data() + f->pos, n);
    f->pos += n;
    return (int32_t)n;
}

static int32_t storage_write(struct file *f, const char *buf, uint32_t len)
{
    if (f->flags & O_APPEND) f->pos = length;
    if (f->pos > quota() || len > quota() - f->pos) return -ENOSPC;   /* the quota */
    if (!len) return 0;
    if (f->pos > length) memset(data() + length, 0, f->pos - length);
    memcpy(data() + f->pos, buf, len);
    uint32_t was = length;
    if (f->pos + len > length) length = f->pos + len;
    int32_t r = commit();
    if (r < 0) {
        length = was;
        return r;
    }
    f->pos += len;
    return (int32_t)len;
}

static uint64_t storage_size(struct file *f) { (void)f; return length; }

static int32_t storage_truncate(struct file *f, uint64_t len)
{
    (void)f;
    if (len > quota()) return -ENOSPC;                      /* the quota, as for write */
    if (len == length) return 0;
    uint32_t was = length;
    if (len > length) memset(data() + length, 0, (uint32_t)len - length);
    length = (uint32_t)len;
    int32_t r = commit();
    if (r < 0) length = was;
    return r;
}

static const struct file_ops storage_ops = {
    .name = "mutable storage", .read = storage_read, .write = storage_write,
    .size = storage_size, .truncate = storage_truncate, .mode = S_IFREG,
};

int32_t storage_open(uint32_t flags)
{
    if (!proc_manifest()->storage_kb) return refuse(-EACCES, "MutableStorage");
    load();
    if (state == CORRUPT) return -EIO;
    if (!exists || ((flags & O_TRUNC) && length)) {          /* the file is created now */
        length = 0;
        int32_t r = commit();
        if (r < 0) return r;
    }
    return fd_install(&storage_ops, flags, 0);
}

int32_t storage_delete(void)
{
    if (!proc_manifest()->storage_kb) return refuse(-EACCES, "MutableStorage");
    load();
    if (state == READY && !exists) return -ENOENT;
    int r = flash(SF_CMD_ERASE, loaded_for, 0);
    if (r != SF_OK && r != SF_EMPTY) return -EIO;
    state = READY;
    exists = 0;
    length = 0;
    return 0;
}
