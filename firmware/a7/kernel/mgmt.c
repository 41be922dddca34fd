/* Requests to the application manager, as lines on the receive side of the kernel console
   (the A7 debug UART): "app stop" stops the running high-level app, as the real OS does for
   `az sphere device app stop`, an update or a power-down (proc_stop: SIGTERM, then SIGKILL);
   "app start" starts it again once it has ended (`az sphere device app start`). Polled
   wherever the kernel waits (wait_until), so a request is seen within the longest sleep of
   a waiting app (1 s) — not while an app computes without making system calls; with no app
   running, the console's receive interrupt wakes the idle kernel (mgmt_listen). */
#include "a7.h"
#include "kernel.h"
#include "mt3620-a7.h"
#include "string.h"

static char line[32];
static uint32_t used;
static int overlong;                               /* drop the rest of a too-long line */

static void request(const char *text)
{
    if (strcmp(text, "app stop") == 0)
        proc_stop();
    else if (strcmp(text, "app start") == 0)
        proc_start();
    else
        kprintf("[kernel] unknown request \"%s\" (known: app stop, app start)\n", text);
}

/* While idle the kernel waits in WFI with nothing else due: a request must wake it. Off
   while an app runs, whose waits poll instead (a sleep would spin on an unread line). */
void mgmt_listen(int on)
{
    UART_IER(A7_UART_BASE) = on ? 1u : 0u;          /* ERBFI: received data */
    if (on) gic_enable(GIC_ID_A7_UART, 0x80u);
    else GICD_ICENABLER(GIC_ID_A7_UART / 32u) = 1u << (GIC_ID_A7_UART % 32u);
}

void mgmt_poll(void)
{
    while (UART_LSR(A7_UART_BASE) & UART_LSR_DR) {
        char c = (char)UART_RBR(A7_UART_BASE);
        if (c == '\r' || c == '\n') {
            char text[sizeof line];
            memcpy(text, line, used);
            text[used] = 0;
            int was_overlong = overlong, had = used != 0;
            used = 0;                              /* first: "app start" does not return */
            overlong = 0;
            if (was_overlong)
                kprintf("[kernel] request longer than %u bytes ignored\n",
                        (unsigned)(sizeof line - 1));
            else if (had)
                request(text);
        } else if (used < sizeof line - 1) {
            line[used++] = c;
        } else {
            overlong = 1;
        }
    }
}
