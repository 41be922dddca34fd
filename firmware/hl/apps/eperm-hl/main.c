/* Manifest enforcement: GPIO 8 and ISU0 are in this app's manifest, GPIO 9, ISU1, an
   inter-core connection and mutable storage are not. The refused calls fail with EACCES
   and the app carries on (it is not killed for asking), using what it is allowed. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <applibs/application.h>
#include <applibs/gpio.h>
#include <applibs/log.h>
#include <applibs/storage.h>
#include <applibs/uart.h>
#include <hw/mt3620.h>

static void report(const char *what, int r)
{
    if (r < 0) Log_Debug("%s -> -1, errno %d (%s)\n", what, errno, strerror(errno));
    else Log_Debug("%s -> fd %d\n", what, r);
}

int main(void)
{
    int led = GPIO_OpenAsOutput(8, GPIO_OutputMode_PushPull, GPIO_Value_High);
    report("GPIO_OpenAsOutput(8)", led);
    int other = GPIO_OpenAsOutput(9, GPIO_OutputMode_PushPull, GPIO_Value_High);
    report("GPIO_OpenAsOutput(9)", other);

    UART_Config config;
    UART_InitConfig(&config);
    int isu1 = UART_Open(MT3620_ISU1_UART, &config);
    report("UART_Open(ISU1)", isu1);
    int sock = Application_Connect("5a1e0002-6d0c-4f3e-9b9e-000000000002");
    report("Application_Connect", sock);
    report("Storage_OpenMutableFile", Storage_OpenMutableFile());

    int isu0 = UART_Open(MT3620_ISU0_UART, &config);
    report("UART_Open(ISU0)", isu0);
    static const char msg[] = "eperm-hl on ISU0\r\n";
    if (isu0 >= 0) write(isu0, msg, sizeof msg - 1);
    GPIO_SetValue(led, GPIO_Value_Low);
    Log_Debug("eperm-hl still running after the refusals\n");
    return 0;
}
