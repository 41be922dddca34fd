/* How sphere-emu lays out a device's flash (A7 physical 0x90000000, 16 MiB): a table of
   contents at offset 0 written by the host when it installs images, then each image
   package at a 4 KiB-aligned offset. Read by Pluton's ROM (for the Security Monitor), the
   Security Monitor (for the kernel) and the kernel (for apps). docs/boot-chain.md. */
#ifndef FLASH_LAYOUT_H
#define FLASH_LAYOUT_H
#include <stdint.h>

#define FLASH_BASE          0x90000000u
#define FLASH_TABLE_MAGIC   0x31544653u   /* "SFT1" */
#define FLASH_TABLE_MAX     32

enum flash_image_kind {
    FLASH_SECURITY_MONITOR = 1,
    FLASH_KERNEL = 2,
    FLASH_APPLICATION = 3,
};

struct flash_entry {
    uint32_t kind;      /* enum flash_image_kind */
    uint32_t offset;    /* from FLASH_BASE, 4 KiB aligned */
    uint32_t size;      /* bytes of the image package */
    uint32_t flags;     /* FLASH_FLAG_* */
};
#define FLASH_FLAG_DEBUG_MODE 0x1u  /* an app: start it held for a debugger (debug mode) */

struct flash_table {
    uint32_t magic;     /* FLASH_TABLE_MAGIC */
    uint32_t count;
    struct flash_entry entries[FLASH_TABLE_MAX];
};

/* Added for issue 5 (boot chain): the payload of the Security Monitor and kernel packages
   is this 16-byte header followed by the flat image (a7/sm/os_payload.py makes it from an
   ELF). The loader copies the `image_size` bytes after the header to `load_address` and
   starts the image at `entry` (bit 0 set: Thumb). The Security Monitor must load inside its
   RAM [0x803D0000, 0x80400000); a kernel inside Normal-World SYSRAM [0x80000000,
   0x803D0000). The kernel starts in Non-secure SVC mode, MMU off, A/I/F masked, with
   r0 = FLASH_BASE (this table) and r1 = its image size. */
#define OS_IMAGE_MAGIC      0x3149534Fu   /* "OSI1" */
struct os_image_header {
    uint32_t magic;         /* OS_IMAGE_MAGIC */
    uint32_t load_address;
    uint32_t image_size;    /* bytes of image after this header */
    uint32_t entry;
};

#define FLASH_SIZE          0x01000000u   /* 16 MiB */
#define FLASH_ALIGN         0x1000u
#define NW_SYSRAM_BASE      0x80000000u
#define NW_SYSRAM_END       0x803D0000u

#endif
