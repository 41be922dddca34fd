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
    uint32_t reserved;
};

struct flash_table {
    uint32_t magic;     /* FLASH_TABLE_MAGIC */
    uint32_t count;
    struct flash_entry entries[FLASH_TABLE_MAX];
};

#endif
