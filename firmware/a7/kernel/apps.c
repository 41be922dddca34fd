/* Finding, verifying and starting the installed apps. Every FLASH_APPLICATION entry of the
   flash table is verified by the Security Monitor (SM_VERIFY_IMAGE, through Pluton) before
   the kernel reads a byte of it; its payload is an ASXipFS image holding app_manifest.json
   and the executable the manifest's EntryPoint names. RT apps go to the IO cores in table
   order (io0, then io1) through SM_START_RT_CORE; the first high-level app runs in User
   mode once they are started. */
#include "a7.h"
#include "flash_layout.h"
#include "kernel.h"
#include "sm_abi.h"
#include "string.h"

#define IMAGE_TYPE_APPLICATIONS 10u
#define CRAMFS_MAGIC 0x28CD3D45u
#define S_IFMT  0xF000u
#define S_IFDIR 0x4000u
#define S_IFREG 0x8000u

static struct app apps[FLASH_TABLE_MAX];

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Look a path up in an ASXipFS image (docs/image-format.md): cramfs inodes, uncompressed
   page-aligned file data. Every offset is checked against the image. */
static const uint8_t *xipfs_find(const uint8_t *fs, uint32_t fs_size, const char *path,
                                 uint32_t *size)
{
    if (fs_size < 76 || rd32(fs) != CRAMFS_MAGIC || rd32(fs + 4) > fs_size) return 0;
    fs_size = rd32(fs + 4);
    uint32_t dir = 64;                             /* the root inode */
    while (*path == '/') path++;
    for (int depth = 0; depth < 8; depth++) {
        const char *slash = path;
        while (*slash && *slash != '/') slash++;
        size_t want = (size_t)(slash - path);
        uint32_t mode = rd32(fs + dir) & 0xFFFFu;
        if ((mode & S_IFMT) != S_IFDIR) return 0;
        uint32_t pos = (rd32(fs + dir + 8) >> 6) * 4, stop = pos + (rd32(fs + dir + 4) & 0xFFFFFFu);
        if (stop > fs_size) return 0;
        uint32_t found = 0;
        while (pos + 12 <= stop) {
            uint32_t namelen = (rd32(fs + pos + 8) & 0x3Fu) * 4;
            if (pos + 12 + namelen > stop) return 0;
            const char *name = (const char *)fs + pos + 12;
            size_t len = 0;
            while (len < namelen && name[len]) len++;
            if (len == want && memcmp(name, path, want) == 0) { found = pos; break; }
            pos += 12 + namelen;
        }
        if (!found) return 0;
        if (!*slash) {
            uint32_t fmode = rd32(fs + found) & 0xFFFFu;
            uint32_t off = (rd32(fs + found + 8) >> 6) * 4, len = rd32(fs + found + 4) & 0xFFFFFFu;
            if ((fmode & S_IFMT) != S_IFREG || off > fs_size || len > fs_size - off) return 0;
            *size = len;
            return fs + off;
        }
        dir = found;
        path = slash + 1;
    }
    return 0;
}

static const char *open_app(const struct flash_entry *e, struct app *app)
{
    uint32_t pkg = FLASH_BASE + e->offset;
    struct smc_result v = smc_call_regs(SM_VERIFY_IMAGE, pkg, e->size, IMAGE_TYPE_APPLICATIONS);
    if (v.r0 != SM_OK) {
        kprintf("[kernel] app at flash offset %#x refused by the Security Monitor (status %#x)\n",
                (unsigned)e->offset, (unsigned)v.r0);
        return "";
    }
    if (v.r1 > e->size || v.r2 > e->size - v.r1) return "payload outside the package";
    const uint8_t *fs = (const uint8_t *)(pkg + v.r1);
    uint32_t msize;
    const uint8_t *mjson = xipfs_find(fs, v.r2, "app_manifest.json", &msize);
    if (!mjson) return "no app_manifest.json in the package";
    const char *err = manifest_parse((const char *)mjson, msize, &app->m);
    if (err) return err;
    app->exe = xipfs_find(fs, v.r2, app->m.entry_point, &app->exe_size);
    if (!app->exe) return "the manifest's EntryPoint is not in the package";
    return 0;
}

void apps_start(uint32_t table_addr)
{
    const struct flash_table *t = (const struct flash_table *)table_addr;
    if (table_addr != FLASH_BASE || t->magic != FLASH_TABLE_MAGIC || t->count > FLASH_TABLE_MAX) {
        kprintf("[kernel] no flash table at %#x: no apps\n", (unsigned)table_addr);
        kprintf("[kernel] no high-level app to run\n");
        return;
    }
    struct app *hl = 0;
    int n = 0;
    rtapps_init();
    for (uint32_t i = 0; i < t->count; i++) {
        const struct flash_entry *e = &t->entries[i];
        if (e->kind != FLASH_APPLICATION) continue;
        if (e->offset >= 16u << 20 || e->size > (16u << 20) - e->offset) {
            kprintf("[kernel] flash entry %u lies outside the flash\n", (unsigned)i);
            continue;
        }
        struct app *app = &apps[n];
        const char *err = open_app(e, app);
        if (err) {
            if (*err) kprintf("[kernel] app at flash offset %#x: %s\n", (unsigned)e->offset, err);
            continue;
        }
        n++;
        app->debug = (e->flags & FLASH_FLAG_DEBUG_MODE) != 0;
        if (app->m.realtime) rtapps_start(app);
        else if (!hl) hl = app;
        else kprintf("[kernel] %s: only one high-level app runs at a time\n", app->m.name);
    }
    if (hl && ownership_claim(&hl->m, SM_OWNER_A7) == 0) user_run(hl);
    kprintf("[kernel] no high-level app to run\n");
}
