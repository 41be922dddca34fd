/* The MT3620 as the Cortex-A7 sees it (docs/cortex-a7.md has the full map). */
#ifndef MT3620_A7_H
#define MT3620_A7_H
#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

#define A7_UART_BASE      0x3F010000u   /* debug console, GIC ID 132 */
#define IO_RESET_BASE     0x3F020000u   /* Secure World only */
#define STORAGE_FLASH_BASE 0x3F030000u  /* mutable-storage flash (our block), GIC ID 147 */
#define IO0_TCM_WINDOW    0x3F100000u   /* io0's 192 KiB TCM, Secure World only */
#define IO1_TCM_WINDOW    0x3F200000u
#define IO_TCM_SIZE       (192u * 1024u)
#define IO0_SYSRAM_WINDOW 0x3F300000u   /* io0's 64 KiB SYSRAM (0x22000000), Secure World only */
#define IO1_SYSRAM_WINDOW 0x3F400000u
#define IO_SYSRAM_SIZE    (64u * 1024u)
#define MBOX_A7_IO0       0x31010000u   /* A7 end of the A7<->io0 mailbox, GIC IDs 133-138 */
#define MBOX_A7_IO1       0x31020000u   /* A7 end of the A7<->io1 mailbox, GIC IDs 139-144 */
#define SYSRAM_BASE       0x80000000u
#define SECURE_SRAM_BASE  0x803D0000u
#define FLASH_BASE        0x90000000u

/* GIC interrupt IDs */
#define GIC_ID_VTIMER       27
#define GIC_ID_SECURE_TIMER 29
#define GIC_ID_NS_TIMER     30
#define GIC_ID_A7_UART      132
#define GIC_ID_MBOX_IO0(line) (133 + (line))   /* line: 0 rd, 1 nf, 2 wr, 3 ne, 4 fifo, 5 sw */
#define GIC_ID_MBOX_IO1(line) (139 + (line))
#define GIC_ID_IO_RESET     146   /* an IO core locked up (Secure: the Security Monitor's FIQ) */
#define GIC_ID_STORAGE_FLASH 147  /* a mutable-storage flash command completed */

/* IO-core reset control (our layout) */
#define IO_RESET_ID          REG32(IO_RESET_BASE + 0x00)
#define IO_RESET_VECTOR(n)   REG32(IO_RESET_BASE + 0x10 + 0x10 * (n))
#define IO_RESET_CTRL(n)     REG32(IO_RESET_BASE + 0x14 + 0x10 * (n))
#define IO_RESET_RUN         (1u << 0)
#define IO_RESET_DBGHALT     (1u << 1)   /* stop for a debugger at the first instruction */
#define IO_RESET_XIP(n)      REG32(IO_RESET_BASE + 0x18 + 0x10 * (n))
#define IO_RESET_XIP_ON      (1u << 0)   /* | the flash offset the core's XIP window shows */
/* What the core showed when it locked up (a debugger's view of the halted core). */
#define IO_RESET_STATUS(n)   REG32(IO_RESET_BASE + 0x100 + 0x20 * (n))
#define IO_RESET_LOCKUP      (1u << 0)   /* W1C */
#define IO_RESET_PC(n)       REG32(IO_RESET_BASE + 0x104 + 0x20 * (n))
#define IO_RESET_FAULT_PC(n) REG32(IO_RESET_BASE + 0x108 + 0x20 * (n))
#define IO_RESET_CFSR(n)     REG32(IO_RESET_BASE + 0x10C + 0x20 * (n))
#define IO_RESET_HFSR(n)     REG32(IO_RESET_BASE + 0x110 + 0x20 * (n))
#define IO_RESET_FAR(n)      REG32(IO_RESET_BASE + 0x114 + 0x20 * (n))

/* Mutable-storage flash (our layout, docs/peripherals.md): partitions keyed by 128 bits,
   moved to and from memory by the block itself. */
#define SF_CMD         REG32(STORAGE_FLASH_BASE + 0x04)
#define SF_STATUS      REG32(STORAGE_FLASH_BASE + 0x08)
#define SF_ADDR        REG32(STORAGE_FLASH_BASE + 0x0C)
#define SF_LEN         REG32(STORAGE_FLASH_BASE + 0x10)
#define SF_CAP         REG32(STORAGE_FLASH_BASE + 0x14)
#define SF_INT_ENABLE  REG32(STORAGE_FLASH_BASE + 0x18)
#define SF_INT_STATUS  REG32(STORAGE_FLASH_BASE + 0x1C)   /* W1C */
#define SF_KEY(n)      REG32(STORAGE_FLASH_BASE + 0x20 + 4 * (n))
#define SF_CMD_LOAD    1u
#define SF_CMD_PROGRAM 2u
#define SF_CMD_ERASE   3u
#define SF_BUSY        (1u << 0)
#define SF_RESULT(s)   (((s) >> 8) & 0xFu)
#define SF_OK          0u
#define SF_EMPTY       1u       /* no such partition */
#define SF_TOO_BIG     2u       /* the partition holds more than CAP bytes */
#define SF_IO_ERROR    3u

/* UART (same 16550-like block as the IO cores' debug UART) */
#define UART_THR(b)  REG32((b) + 0x00)
#define UART_RBR(b)  REG32((b) + 0x00)
#define UART_IER(b)  REG32((b) + 0x04)
#define UART_LCR(b)  REG32((b) + 0x0C)
#define UART_FCR(b)  REG32((b) + 0x08)
#define UART_LSR(b)  REG32((b) + 0x14)
#define UART_LSR_THRE (1u << 5)
#define UART_LSR_DR   (1u << 0)
#endif
