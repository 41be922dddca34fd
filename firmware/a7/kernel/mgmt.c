/* Requests to the application manager, as lines on the receive side of the kernel console
   (the A7 debug UART): "app stop" stops the running high-level app, as the real OS does for
   `az sphere device app stop`, an update or a power-down (proc_stop: SIGTERM, then SIGKILL).
   Polled wherever the kernel waits (wait_until), so a request is seen within the longest
   sleep of a waiting app (1 s) — not while an app computes without making system calls. */
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
    else
        kprintf("[kernel] unknown request \"%s\" (known: app stop)\n", text);
}

void mgmt_poll(void)
{
    while (UART_LSR(A7_UART_BASE) & UART_LSR_DR) {
        char c = (char)UART_RBR(A7_UART_BASE);
        if (c == '\r' || c == '\n') {
            line[used] = 0;
            if (overlong)
                kprintf("[kernel] request longer than %u bytes ignored\n",
                        (unsigned)(sizeof line - 1));
            else if (used)
                request(line);
            used = 0;
            overlong = 0;
        } else if (used < sizeof line - 1) {
            line[used++] = c;
        } else {
            overlong = 1;
        }
    }
}
