/* Self-test of the Cortex-M4F core model, run on the emulator (tests/test_cortex_m_firmware.py).
 *
 * One "PASS name" or "FAIL name: details" line per check, then the summary
 * "m4-selftest: ALL PASS (N checks)" or "m4-selftest: F of N FAILED". Interrupts are raised
 * by software (NVIC_ISPR, STIR) on inputs nothing else drives, so only the debug UART, GPT0
 * (level-sensitive input) and GPT3 (a 1 MHz reference clock) are needed. The last check
 * resets the core with AIRCR.SYSRESETREQ and looks at the state it restarts in: statics
 * survive (the RT-app loader is not run again), so the second boot reports and summarises. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define SHCSR_USGFAULTENA (1u << 18)
#define SHCSR_BUSFAULTENA (1u << 17)
#define CFSR_PRECISERR    (1u << 9)
#define CFSR_BFARVALID    (1u << 15)
#define CFSR_UNDEFINSTR   (1u << 16)
#define CFSR_NOCP         (1u << 19)
#define HFSR_FORCED       (1u << 30)
#define AIRCR_KEY         (0x05FAu << 16)
#define UNMAPPED          0x30000000u   /* nothing there in an IO core's address map */
#define IO_HZ             197600000u

static uint32_t boots, passed, failed;   /* .bss: zeroed by the loader, kept by a reset */

static void check(const char *name, int ok, uint32_t detail)
{
    if (ok) passed++; else failed++;
    print(ok ? "PASS " : "FAIL ");
    print(name);
    if (!ok) { print(": "); print_hex(detail); }
    print("\n");
}

static uint32_t get_control(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, control" : "=r"(v));
    return v & 7u;
}

static void set_basepri(uint32_t v) { __asm__ volatile("msr basepri, %0" :: "r"(v) : "memory"); }

static uint32_t get_primask(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, primask" : "=r"(v));
    return v;
}

static void irq_setup(unsigned irq, unsigned priority)
{
    nvic_set_priority(irq, priority);
    NVIC_ICPR(irq / 32) = 1u << (irq % 32);
    nvic_enable(irq);
}

/* -- a trace of which handler ran when --------------------------------------------------- */
static volatile char trace[32];
static volatile uint32_t trace_len;

static void note(char c)
{
    if (trace_len < sizeof trace - 1) trace[trace_len++] = c;
    trace[trace_len] = '\0';
}

static int trace_is(const char *expected)
{
    uint32_t i = 0;
    for (; expected[i]; i++) if (trace[i] != expected[i]) return 0;
    return i == trace_len;
}

static uint32_t trace_word(void)   /* the first four letters, for FAIL details */
{
    return (uint32_t)trace[0] << 24 | (uint32_t)trace[1] << 16 | (uint32_t)trace[2] << 8 |
           (uint32_t)trace[3];
}

static void trace_clear(void) { trace_len = 0; trace[0] = '\0'; }

/* -- 1. preemption by priority ----------------------------------------------------------- */
static volatile uint32_t b_icsr, b_iabr;

void IRQ30_Handler(void)   /* priority 5 */
{
    note('A');
    nvic_pend(31);          /* priority 2: preempts at once */
    note('a');
    nvic_pend(32);          /* priority 6: waits until this handler returns */
    note('z');
}

void IRQ31_Handler(void)
{
    note('B');
    b_icsr = SCB_ICSR;
    b_iabr = NVIC_IABR(0);
}

void IRQ32_Handler(void) { note('C'); }

static void test_preemption(void)
{
    irq_setup(30, 5);
    irq_setup(31, 2);
    irq_setup(32, 6);
    trace_clear();
    nvic_pend(30);
    dsb_isb();
    int order = trace_is("ABazC");
    check("nested interrupts by priority: A, preempted by B, then C after A", order,
          trace_word());
    check("ICSR.VECTACTIVE and IABR inside the nested handler",
          (b_icsr & 0x1FFu) == 16 + 31 && !(b_icsr & (1u << 11)) &&
          (b_iabr & (3u << 30)) == (3u << 30), b_icsr);
}

/* -- 2. tail-chaining, PRIMASK ----------------------------------------------------------- */
static volatile uint32_t thread_marker, chain_sp[3], chain_lr[3], chain_n;

void tail_note(char letter, uint32_t sp, uint32_t exc_return)
{
    note(thread_marker ? '!' : letter);
    if (chain_n < 3) { chain_sp[chain_n] = sp; chain_lr[chain_n] = exc_return; chain_n++; }
}

static void test_tail_chaining(void)
{
    irq_setup(33, 4);
    irq_setup(34, 4);
    irq_setup(35, 3);
    trace_clear();
    thread_marker = 0;
    chain_n = 0;
    irq_disable();
    NVIC_ISPR(1) = 7u << 1;   /* 33, 34 and 35 at once */
    dsb_isb();
    int masked = trace_len == 0;
    irq_enable();
    thread_marker = 1;
    check("PRIMASK holds pending interrupts back until CPSIE", masked, trace_len);
    check("tail-chaining: priority then number, no thread code between handlers",
          trace_is("FDE"), trace_word());
    check("tail-chained handlers share one stack frame and EXC_RETURN",
          chain_n == 3 && chain_sp[0] == chain_sp[1] && chain_sp[1] == chain_sp[2] &&
          chain_lr[0] == 0xFFFFFFF9u && chain_lr[2] == 0xFFFFFFF9u, chain_sp[1] - chain_sp[0]);
}

/* -- 3. BASEPRI and priority grouping ---------------------------------------------------- */
void IRQ37_Handler(void) { note('G'); }
void IRQ38_Handler(void) { note('H'); }

static void test_basepri(void)
{
    irq_setup(37, 4);
    irq_setup(38, 2);
    trace_clear();
    set_basepri(PRIORITY(3));
    nvic_pend(37);
    nvic_pend(38);
    dsb_isb();
    note('t');
    set_basepri(0);
    __asm__ volatile("isb" ::: "memory");
    note('u');
    check("BASEPRI masks priority 4, not 2; lowering it lets 4 run", trace_is("HtGu"),
          trace_word());
}

void IRQ39_Handler(void)   /* priority 0x60 */
{
    note('X');
    nvic_pend(40);          /* priority 0x40: same group when PRIGROUP = 5 */
    note('x');
}

void IRQ40_Handler(void) { note('Y'); }

static void test_grouping(void)
{
    irq_setup(39, 3);
    irq_setup(40, 2);
    trace_clear();
    nvic_pend(39);
    dsb_isb();
    int apart = trace_is("XYx");
    SCB_AIRCR = AIRCR_KEY | (5u << 8);    /* 2 group bits, 1 subpriority bit */
    trace_clear();
    nvic_pend(39);
    dsb_isb();
    int grouped = trace_is("XxY");
    SCB_AIRCR = AIRCR_KEY;
    check("PRIGROUP: subpriority does not preempt, group priority does",
          apart && grouped && (SCB_AIRCR >> 16) == 0xFA05u, trace_word());
}

/* -- 4. NVIC registers ------------------------------------------------------------------- */
static void test_nvic_registers(void)
{
    nvic_disable(41);
    nvic_pend(41);
    int pending = (NVIC_ISPR(1) >> 9) & 1;
    uint32_t vectpending_disabled = (SCB_ICSR >> 12) & 0x1FF;
    irq_disable();
    nvic_enable(41);
    uint32_t icsr = SCB_ICSR;
    NVIC_ICPR(1) = 1u << 9;
    int cleared = !((NVIC_ISPR(1) >> 9) & 1);
    nvic_disable(41);
    irq_enable();
    check("ISPR/ICPR, and ICSR.VECTPENDING/ISRPENDING count enabled interrupts",
          pending && vectpending_disabled == 0 && ((icsr >> 12) & 0x1FF) == 16 + 41 &&
          (icsr & (1u << 22)) && cleared && (NVIC_ISER(1) & (1u << 9)) == 0, icsr);
}

/* -- 5. SVC ------------------------------------------------------------------------------- */
static volatile uint32_t svc_calls;

void svc_handler(uint32_t *frame)
{
    uint8_t number = ((const uint8_t *)frame[6])[-2];   /* the immediate of "svc #n" */
    svc_calls++;
    if (number == 1) {
        __asm__ volatile("msr control, %0" :: "r"(0u));  /* back to privileged */
    } else {
        frame[0] = frame[0] * 3 + number;
    }
}

static void test_svc(void)
{
    register uint32_t r0 __asm__("r0") = 100;
    __asm__ volatile("svc #42" : "+r"(r0) :: "memory");
    check("SVC with an argument and a result", r0 == 342 && svc_calls == 1, r0);
}

/* -- 6. faults ---------------------------------------------------------------------------- */
static volatile uint32_t fault_count, fault_ipsr, fault_cfsr, fault_hfsr, fault_bfar, fault_pc;

static uint32_t instruction_size(uint32_t pc)
{
    uint16_t first = *(const uint16_t *)pc;
    return (first >> 11) >= 0x1D ? 4 : 2;
}

void fault_recover(uint32_t *frame, uint32_t exc_return)
{
    (void)exc_return;
    __asm__ volatile("mrs %0, ipsr" : "=r"(fault_ipsr));
    fault_cfsr = SCB_CFSR;
    fault_hfsr = SCB_HFSR;
    fault_bfar = SCB_BFAR;
    fault_pc = frame[6];
    SCB_CFSR = fault_cfsr;   /* write 1 to clear */
    SCB_HFSR = fault_hfsr;
    frame[6] += instruction_size(frame[6]);
    fault_count++;
}

static void clear_fault_record(void)
{
    fault_count = fault_ipsr = fault_cfsr = fault_hfsr = fault_bfar = fault_pc = 0;
}

static void test_bus_fault(void)
{
    SCB_SHCSR |= SHCSR_BUSFAULTENA;
    clear_fault_record();
    volatile uint32_t value = *(volatile uint32_t *)UNMAPPED;
    (void)value;
    check("bus fault: BusFault handler sees PRECISERR and BFAR, and recovers",
          fault_count == 1 && fault_ipsr == 5 &&
          (fault_cfsr & (CFSR_PRECISERR | CFSR_BFARVALID)) == (CFSR_PRECISERR | CFSR_BFARVALID)
          && fault_bfar == UNMAPPED && SCB_CFSR == 0, fault_cfsr);

    SCB_SHCSR &= ~SHCSR_BUSFAULTENA;
    clear_fault_record();
    *(volatile uint32_t *)UNMAPPED = 1;
    check("bus fault with BusFault disabled escalates to HardFault (FORCED)",
          fault_count == 1 && fault_ipsr == 3 && (fault_hfsr & HFSR_FORCED) &&
          (fault_cfsr & CFSR_PRECISERR), fault_hfsr);
}

static void test_usage_fault(void)
{
    SCB_SHCSR |= SHCSR_USGFAULTENA;
    clear_fault_record();
    __asm__ volatile("udf #7");
    uint32_t udf_pc = fault_pc;
    check("undefined instruction: UsageFault UNDEFINSTR at the UDF",
          fault_count == 1 && fault_ipsr == 6 && (fault_cfsr & CFSR_UNDEFINSTR) &&
          *(const uint16_t *)udf_pc == 0xDE07, fault_cfsr);
    clear_fault_record();
    __asm__ volatile(".short 0xEE10, 0x0F10");   /* mrc p15, 0, r0, c0, c0, 0 */
    check("coprocessor instruction: UsageFault NOCP",
          fault_count == 1 && fault_ipsr == 6 && (fault_cfsr & CFSR_NOCP), fault_cfsr);
}

static void test_unprivileged(void)
{
    SCB_SHCSR |= SHCSR_BUSFAULTENA;
    clear_fault_record();
    /* nPRIV; the label is where tests/test_cortex_m_debug.py stops */
    __asm__ volatile("msr control, %0\n\tisb\n"
                     ".global unprivileged_point\nunprivileged_point:" :: "r"(1u) : "memory");
    uint32_t dropped = get_control();
    volatile uint32_t icsr = SCB_ICSR;                /* the SCS is privileged only */
    (void)icsr;
    __asm__ volatile("svc #1" ::: "memory");          /* the handler restores privilege */
    check("unprivileged: SCS access is a bus fault, SVC regains privilege",
          dropped == 1 && fault_count == 1 && fault_bfar == 0xE000ED04u &&
          get_control() == 0, fault_bfar);
}

/* -- 7. FP context across an interrupt that uses the FPU -------------------------------- */
volatile uint32_t fp_irq_count, fp_irq_exc_return;
int fp_context_check(void);

static void test_fp_context(void)
{
    SCB_CPACR |= 0xFu << 20;
    dsb_isb();
    irq_setup(36, 1);
    int preserved = fp_context_check();
    check("FP registers and FPSCR preserved across an FP-using interrupt",
          preserved && fp_irq_count == 1, preserved);
    check("extended frame: EXC_RETURN 0xFFFFFFE9 and CONTROL.FPCA",
          fp_irq_exc_return == 0xFFFFFFE9u && (get_control() & 4), fp_irq_exc_return);
}

/* -- 8. PendSV context switch between two threads on PSP -------------------------------- */
#define ROUNDS 4
int32_t ctx_current = -1;              /* -1: main, on MSP */
uint32_t *thread_sp[2];
uint32_t main_ctx[9 + 16];
static volatile char order[2 * ROUNDS + 1];
static volatile uint32_t order_len, threads_done, switches, psp_seen[2];
static uint32_t stack_a[128] __attribute__((aligned(8)));
static uint32_t stack_b[128] __attribute__((aligned(8)));

int32_t pendsv_next(void)
{
    switches++;
    if (threads_done == 2) return -1;
    return ctx_current < 0 ? 0 : ctx_current ^ 1;
}

static void yield(void)
{
    SCB_ICSR = ICSR_PENDSVSET;
    dsb_isb();
}

static void thread_body(uint32_t id)
{
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    psp_seen[id] = sp;
    for (int i = 0; i < ROUNDS; i++) {
        order[order_len++] = (char)('a' + id);
        yield();
    }
    threads_done++;
    for (;;) yield();
}

static uint32_t *thread_stack(uint32_t *top, uint32_t id)
{
    uint32_t *sp = top;
    *--sp = 0x01000000u;                      /* xPSR: Thumb */
    *--sp = (uint32_t)thread_body & ~1u;      /* return address */
    *--sp = 0;                                /* lr */
    for (int i = 0; i < 4; i++) *--sp = 0;    /* r12, r3, r2, r1 */
    *--sp = id;                               /* r0 */
    *--sp = 0xFFFFFFFDu;                      /* EXC_RETURN: Thread mode, PSP, no FP */
    for (int i = 0; i < 8; i++) *--sp = 0;    /* r11..r4 */
    return sp;
}

static void test_context_switch(void)
{
    thread_sp[0] = thread_stack(stack_a + 128, 0);
    thread_sp[1] = thread_stack(stack_b + 128, 1);
    SCB_SHPR8(14) = PRIORITY(7);              /* PendSV lowest, as RTOSes set it */
    yield();                                  /* runs both threads; back when both are done */
    int alternated = order_len == 2 * ROUNDS;
    for (uint32_t i = 0; i < order_len; i++) alternated &= order[i] == (char)('a' + (i & 1));
    check("PendSV switches two threads on PSP in turn and returns to main",
          alternated && threads_done == 2 && ctx_current == -1 && switches == 2 * ROUNDS + 3,
          order_len);
    check("threads ran on their own process stacks",
          psp_seen[0] > (uint32_t)stack_a && psp_seen[0] <= (uint32_t)(stack_a + 128) &&
          psp_seen[1] > (uint32_t)stack_b && psp_seen[1] <= (uint32_t)(stack_b + 128) &&
          get_control() != 2, psp_seen[0]);
}

/* -- 9. SysTick --------------------------------------------------------------------------- */
static volatile uint32_t ticks, tick_at[12];

void SysTick_Handler(void)
{
    if (ticks < 12) tick_at[ticks] = GPT3_CNT;
    ticks++;
}

static void wait_ticks(uint32_t target)
{
    for (;;) {
        irq_disable();
        if (ticks >= target) { irq_enable(); return; }
        wfi();
        irq_enable();
    }
}

static void test_systick(void)
{
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT_CTRL_EN;     /* 1 MHz reference */
    SYST_RVR = IO_HZ / 1000 - 1;                          /* 1 ms */
    SYST_CVR = 0;
    ticks = 0;
    SYST_CSR = 7;                                         /* enable, interrupt, core clock */
    wait_ticks(11);
    uint32_t elapsed = tick_at[10] - tick_at[0];
    uint32_t cvr_a = SYST_CVR;
    for (volatile int spin = 0; spin < 200; spin++) { }
    uint32_t cvr_b = SYST_CVR;
    SYST_CSR = 0;
    uint32_t flag_first = SYST_CSR, flag_again = SYST_CSR;
    check("SysTick: 10 periods of 1 ms, sleeping in WFI between the ticks",
          ticks == 11 && elapsed == 10000, elapsed);
    check("SysTick: CVR counts down as instructions retire, COUNTFLAG clears on read",
          cvr_a < IO_HZ / 1000 && cvr_b < cvr_a && cvr_a - cvr_b < 20000 &&
          (flag_first & (1u << 16)) && !(flag_again & (1u << 16)), cvr_a - cvr_b);
}

/* -- 10. a level-sensitive input: GPT0 holds IRQ 1 until acknowledged ------------------ */
static volatile uint32_t level_entries;

void IRQ1_Handler(void)
{
    if (++level_entries == 3) GPT_ISR = 1u;   /* acknowledge only the third time */
}

static void test_level_interrupt(void)
{
    level_entries = 0;
    GPT_ISR = 1u;
    GPT_IER = 1u;
    GPT0_ICNT = 1;
    irq_setup(IRQ_GPT01, 0);
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART;           /* one-shot, about 1 ms */
    uint32_t start = GPT3_CNT;
    while (level_entries < 3 && GPT3_CNT - start < 5000) { }
    while (GPT3_CNT - start < 3000) { }
    check("level-sensitive interrupt re-enters while its line is high",
          level_entries == 3, level_entries);
    nvic_disable(IRQ_GPT01);
    GPT0_CTRL = 0;
    GPT_IER = 0;
}

/* -- 11. reset ---------------------------------------------------------------------------- */
static void request_reset(void)
{
    print("m4-selftest: requesting a system reset\n");
    SCB_AIRCR = AIRCR_KEY | (1u << 2);        /* SYSRESETREQ */
    dsb_isb();
    for (;;) { }
}

static void check_after_reset(void)
{
    check("SYSRESETREQ restarts the core from the vector table in reset state",
          boots == 2 && SYST_CSR == 4 && NVIC_ISER(1) == 0 && SCB_SHCSR == 0 &&
          get_primask() == 0 && get_control() == 0 && SCB_CCR == (1u << 9), boots);
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    boots++;
    if (boots == 1) {
        print("m4-selftest\n");
        test_preemption();
        test_tail_chaining();
        test_basepri();
        test_grouping();
        test_nvic_registers();
        test_svc();
        test_bus_fault();
        test_usage_fault();
        test_unprivileged();
        test_fp_context();
        test_context_switch();
        test_systick();
        test_level_interrupt();
        request_reset();
    }
    check_after_reset();
    print("m4-selftest: ");
    if (failed) {
        print_u32(failed);
        print(" of ");
        print_u32(passed + failed);
        print(" FAILED\n");
    } else {
        print("ALL PASS (");
        print_u32(passed);
        print(" checks)\n");
    }
    for (;;) wfi();
}
