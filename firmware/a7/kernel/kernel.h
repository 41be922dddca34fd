/* The sphere-emu OS kernel: Normal-World SVC mode on the A7, one high-level app in User
   mode, RT apps on the IO cores through the Security Monitor. docs/kernel-and-apps.md. */
#ifndef KERNEL_H
#define KERNEL_H
#include <stddef.h>
#include <stdint.h>
#include "manifest_rules.h"

/* Memory map (physical; the kernel runs identity-mapped, see mmu.c). */
#define KERNEL_BASE     0x80000000u   /* image, stacks, page table: the first MiB */
#define USER_PHYS       0x80100000u   /* the high-level app's 1 MiB ... */
#define USER_BASE       0x00100000u   /* ... seen by the app at this virtual address */
#define USER_SIZE       0x00100000u
#define STORAGE_PHYS    0x80200000u   /* mutable storage, up to 64 KiB */
#define COMM_PHYS       0x803C0000u   /* inter-core buffers: 8 KiB per IO core (intercore.c) */

/* console.c */
void console_init(void);
void kputs_n(const char *s, size_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mmu.c */
void mmu_init(void);

/* timer.c: the Non-secure physical timer through the GIC. */
void timer_init(void);
uint64_t time_ns(void);
void sleep_ns(uint64_t ns);

/* The manifest fields the kernel enforces (manifest.c). */
#define MAX_CONNECTIONS MANIFEST_MAX_APP_CONNECTIONS
struct manifest {
    char name[MANIFEST_NAME_MAX_BYTES + 1];
    char component_id[40];           /* text form, lower case */
    char entry_point[MANIFEST_ENTRY_POINT_MAX_BYTES + 1];
    int realtime;
    uint32_t gpio[3];                /* bit n: GPIO n (0..95) */
    uint32_t uarts;                  /* bit n: ISUn */
    int connections;
    char allowed[MAX_CONNECTIONS][40];
    uint32_t storage_kb;
    uint32_t blocks;                 /* bit n: block SM_BLOCK_n the capabilities claim */
};
const char *manifest_parse(const char *json, size_t len, struct manifest *m);
int manifest_allows_connection(const struct manifest *m, const char *component_id);

/* ownership.c: the blocks a manifest claims, and claiming them for a core. */
const char *ownership_parse(const char *caps, const char *end, struct manifest *m);
int ownership_claim(const struct manifest *m, int owner);   /* 0, or -1: refused (logged) */
void ownership_release(const struct manifest *m, int owner);

/* apps.c: an installed app package, found in the flash table and verified. */
struct app {
    struct manifest m;
    const uint8_t *exe;              /* the executable, in flash (XIP) */
    uint32_t exe_size;
    int core;                        /* RT apps: 0 = io0, 1 = io1 */
};
void apps_start(uint32_t flash_table);

/* elf.c */
const char *elf_load_user(const uint8_t *elf, uint32_t size, uint32_t *entry);

/* syscall.c */
struct frame { uint32_t r[13]; uint32_t pc, cpsr; };  /* as entry.S saves them */
void syscall_dispatch(struct frame *f);
void user_run(struct app *app);
void user_fault(const char *what, uint32_t pc, uint32_t addr);

/* intercore.c */
void intercore_setup(int core);      /* before the RT core starts */
void intercore_start(int core);      /* after: the 0xBA5E000x handshake */
int intercore_send(int core, const char *sender_id, const void *buf, uint32_t len);
int intercore_recv(int core, void *buf, uint32_t cap);
int guid_to_bytes(const char *text, uint8_t out[16]);
extern struct app *rt_apps[2];

/* entry.S */
void enter_user(uint32_t entry, uint32_t sp) __attribute__((noreturn));
void halt(void) __attribute__((noreturn));
#endif
