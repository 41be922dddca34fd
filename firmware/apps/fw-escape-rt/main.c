/* Escape attempts for the firewall tests (tests/test_firewall.py, docs/security.md). The
   manifest claims GPIO 12 (block GPIO12-15) and nothing else; each attempt below touches
   something this core does not own and must end in a precise BusFault with BFAR naming the
   address. The BusFault handler records the fault and steps over the 32-bit faulting
   instruction, so one run shows every attempt; the control access to its own block must
   pass. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

#define SHCSR_BUSFAULTENA (1u << 17)
#define CFSR_BUS_MASK     0x0000FF00u

extern const uintptr_t ExceptionVectorTable[];

static volatile uint32_t faults, bfar;

void bus_fault(uint32_t *frame);
void bus_fault(uint32_t *frame)
{
    faults++;
    bfar = SCB_BFAR;
    SCB_CFSR = CFSR_BUS_MASK;       /* write 1 to clear BFSR and BFARVALID */
    frame[6] += 4;                  /* the stacked PC: past the ldr.w/str.w */
}

__attribute__((naked)) void BusFault_Handler(void)
{
    __asm__ volatile("mrs r0, msp\n b bus_fault\n");
}

static uint32_t load(uint32_t address)
{
    uint32_t value = 0;
    __asm__ volatile("ldr.w %0, [%1]" : "+r"(value) : "r"(address) : "memory");
    return value;
}

static void store(uint32_t address, uint32_t value)
{
    __asm__ volatile("str.w %0, [%1]" :: "r"(value), "r"(address) : "memory");
}

static void attempt(const char *what, uint32_t address, int write)
{
    uint32_t before = faults;
    if (write) store(address, 0x41);
    else (void)load(address);
    print("fw-escape-rt: ");
    print(what);
    if (faults == before) {
        print(": allowed\n");
    } else {
        print(": BusFault, BFAR ");
        print_hex(bfar);
        print("\n");
    }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    SCB_SHCSR |= SHCSR_BUSFAULTENA;
    uart_init(IO_UART_BASE);
    attempt("write another app's ISU0 UART", 0x38070500u, 1);
    attempt("read GPIO block 0 (not in the manifest)", 0x38010004u, 0);
    attempt("read the other core's TCM (A7 window)", 0x3F100000u, 0);
    attempt("read the other core's comm buffers", 0x803C0000u, 0);
    attempt("read the Secure SRAM", 0x803D0000u, 0);
    attempt("read the firewall registers", 0x30000000u, 0);
    attempt("read its own GPIO block 3", 0x38040004u, 0);
    print("fw-escape-rt: done\n");
    for (;;) wfi();
}
