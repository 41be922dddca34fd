/* The smallest high-level app: one line on the debug console through Log_Debug. */
#include <applibs/log.h>

int main(void)
{
    Log_Debug("Hello from a high-level app on the A7!\n");
    return 0;
}
