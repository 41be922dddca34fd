/* UART self-test, then an interrupt-driven line echo for the host to talk to.

   Self-contained checks (PASS/FAIL lines, then "uart-selftest: P passed, F failed"):
   interrupt-driven (ETBEI) output on the debug UART, output on ISU0's UART, loopback,
   RX FIFO overrun, IIR acknowledgement of THR-empty, and an RX interrupt on IRQ 47.

   Then "RX READY": bytes from the host arrive by RX interrupt (IRQ 4); each line is answered
   "RX LINE: <text>". The line "hold" stops reading for 20 ms and reports what the FIFO kept:
   "OVERRUN: kept N, OE=b". The wait for a line spins on memory instead of sleeping, so that
   virtual time keeps pace with wall time while a person or a test types over TCP. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"
#include "sleep.h"

extern const uintptr_t ExceptionVectorTable[];

#define DBG IO_UART_BASE
#define ISU0 ISU_UART_BASE(0)

static uint32_t passed, failed;

/* Interrupt-driven transmit on the debug UART. */
static char tx_ring[256];
static volatile uint32_t tx_head, tx_tail, tx_irqs;

/* Interrupt-driven receive on the debug UART. */
static char rx_line[96];
static volatile uint32_t rx_len, rx_irqs, line_ready;

static volatile uint32_t isu0_rx_irqs, isu0_rx_byte;
static volatile uint32_t gpt3_matches;

void IRQ4_Handler(void)
{
    uint32_t id = UART_IIR_ID(UART_IIR(DBG));
    if (id == UART_IIR_THR_EMPTY) {
        tx_irqs++;
        for (uint32_t n = 0; n < UART_FIFO_DEPTH && tx_tail != tx_head; n++) {
            UART_THR(DBG) = (uint8_t)tx_ring[tx_tail % sizeof tx_ring];
            tx_tail++;
        }
        if (tx_tail == tx_head) UART_IER(DBG) &= ~UART_IER_ETBEI;
    } else if (id == UART_IIR_RX_DATA || id == UART_IIR_RX_TIMEOUT) {
        rx_irqs++;
        while (UART_LSR(DBG) & UART_LSR_DR) {
            char c = (char)UART_RBR(DBG);
            if (line_ready) continue;              /* main has not taken the last line yet */
            if (c == '\r' || c == '\n') {
                if (rx_len) line_ready = 1;
            } else if (rx_len < sizeof rx_line - 1) {
                rx_line[rx_len++] = c;
            }
        }
    }
}

void IRQ47_Handler(void)
{
    isu0_rx_irqs++;
    while (UART_LSR(ISU0) & UART_LSR_DR) isu0_rx_byte = UART_RBR(ISU0);
}

void IRQ2_Handler(void)
{
    gpt3_matches++;
}

static void irq_print(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') tx_ring[tx_head++ % sizeof tx_ring] = '\r';
        tx_ring[tx_head++ % sizeof tx_ring] = *s;
    }
    UART_IER(DBG) |= UART_IER_ETBEI;
}

static void check(const char *name, int ok)
{
    if (ok) passed++; else failed++;
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print("\n");
}

static void put(uintptr_t base, const char *s)
{
    for (; *s; s++) uart_putc(base, *s);
}

static void test_tx_interrupt(void)
{
    nvic_enable(IRQ_IO_UART);
    irq_print("TXIRQ 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ "
              "the quick brown fox jumps over the lazy dog\n");
    uint32_t queued = tx_head;
    while (tx_tail != tx_head) { }
    print("tx irq: ");
    print_u32(queued);
    print(" bytes in ");
    print_u32(tx_irqs);
    print(" interrupts\n");
    check("tx irq: ETBEI refills 16 bytes per interrupt", tx_irqs == (queued + 15) / 16);
}

static void test_isu_output(void)
{
    uart_init(ISU0);
    put(ISU0, "ISU0 says hi\r\n");
    check("isu0 output", (UART_LSR(ISU0) & (UART_LSR_THRE | UART_LSR_TEMT)) ==
                         (UART_LSR_THRE | UART_LSR_TEMT));
}

static void test_loopback(void)
{
    static const char msg[] = "ping";
    UART_MCR(ISU0) = UART_MCR_LOOP | 0x3;      /* loopback, DTR and RTS */
    put(ISU0, msg);
    int same = 1;
    for (unsigned i = 0; i < sizeof msg - 1; i++) {
        if (!(UART_LSR(ISU0) & UART_LSR_DR) || UART_RBR(ISU0) != (uint8_t)msg[i]) same = 0;
    }
    check("loopback echoes TX into RX", same && !(UART_LSR(ISU0) & UART_LSR_DR));
    check("loopback wires DTR/RTS to DSR/CTS", (UART_MSR(ISU0) & 0xF0) == 0x30);
}

static void test_overrun(void)
{
    for (unsigned i = 0; i < 20; i++) UART_THR(ISU0) = 'a' + i;
    uint32_t lsr = UART_LSR(ISU0);
    check("overrun sets OE with data ready", (lsr & (UART_LSR_DR | UART_LSR_OE)) ==
                                             (UART_LSR_DR | UART_LSR_OE));
    check("OE clears when LSR is read", !(UART_LSR(ISU0) & UART_LSR_OE));
    unsigned kept = 0, in_order = 1;
    while (UART_LSR(ISU0) & UART_LSR_DR) {
        if (UART_RBR(ISU0) != 'a' + kept) in_order = 0;
        kept++;
    }
    check("FIFO kept the first 16 bytes", kept == 16 && in_order);
}

static void test_iir_thre(void)
{
    UART_IER(ISU0) = UART_IER_ETBEI;           /* IRQ 47 not enabled yet: poll IIR */
    uint32_t first = UART_IIR_ID(UART_IIR(ISU0));
    uint32_t second = UART_IIR_ID(UART_IIR(ISU0));
    UART_THR(ISU0) = 'x';                      /* loopback still on; re-arms THR empty */
    uint32_t third = UART_IIR_ID(UART_IIR(ISU0));
    UART_IER(ISU0) = 0;
    (void)UART_RBR(ISU0);
    check("IIR: THR empty, then none once read, again after a THR write",
          first == UART_IIR_THR_EMPTY && second == UART_IIR_NONE && third == UART_IIR_THR_EMPTY);
}

static void test_isu_rx_interrupt(void)
{
    UART_IER(ISU0) = UART_IER_ERBFI;
    /* The THR-empty edges of the previous check left IRQ 47 pending in the NVIC. */
    NVIC_ICPR(IRQ_ISU_UART(0) / 32) = 1u << (IRQ_ISU_UART(0) % 32);
    nvic_enable(IRQ_ISU_UART(0));
    UART_THR(ISU0) = 'Q';
    for (volatile int spin = 0; spin < 1000 && !isu0_rx_irqs; spin++) { }
    check("isu0 rx interrupt on IRQ 47", isu0_rx_irqs == 1 && isu0_rx_byte == 'Q');
    UART_IER(ISU0) = 0;
    UART_MCR(ISU0) = 0;
}

static void hold_and_report(void)
{
    UART_IER(DBG) &= ~UART_IER_ERBFI;
    print("HOLDING\n");
    gpt3_sleep_us(&gpt3_matches, 20000);
    uint32_t oe = (UART_LSR(DBG) & UART_LSR_OE) ? 1 : 0;
    uint32_t kept = 0;
    while (UART_LSR(DBG) & UART_LSR_DR) { (void)UART_RBR(DBG); kept++; }
    print("OVERRUN: kept ");
    print_u32(kept);
    print(", OE=");
    print_u32(oe);
    print("\n");
    UART_IER(DBG) |= UART_IER_ERBFI;
}

static int is_hold(void)
{
    return rx_len == 4 && rx_line[0] == 'h' && rx_line[1] == 'o' && rx_line[2] == 'l' &&
           rx_line[3] == 'd';
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(DBG);
    print("uart-selftest\n");
    GPT3_INIT = 0;
    GPT3_EXPIRE = 0xFFFFFFFFu;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT_CTRL_EN;   /* 1 MHz */
    nvic_enable(IRQ_GPT3);
    irq_enable();

    test_tx_interrupt();
    test_isu_output();
    test_loopback();
    test_overrun();
    test_iir_thre();
    test_isu_rx_interrupt();

    print("uart-selftest: ");
    print_u32(passed);
    print(" passed, ");
    print_u32(failed);
    print(" failed\n");

    UART_IER(DBG) = UART_IER_ERBFI;
    print("RX READY\n");
    for (;;) {
        while (!line_ready) { }
        rx_line[rx_len] = '\0';
        if (is_hold()) {
            hold_and_report();
        } else {
            print("RX LINE: ");
            print(rx_line);
            print("\n");
        }
        rx_len = 0;
        line_ready = 0;
    }
}
