/* Issue 14's high-level escape attempt: an app whose manifest lists only GPIO 8 reaches,
   through its drivers, for the blocks a real-time app next to it owns (ISU0's UART, I2C and
   SPI, GPIO block 0..3's pins) and for blocks nobody granted it (the ADC, PWM controller 0).
   The kernel refuses each open with EACCES before any register is touched, so the
   firewall never sees an access, and the app runs on with what it owns. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <applibs/adc.h>
#include <applibs/gpio.h>
#include <applibs/i2c.h>
#include <applibs/log.h>
#include <applibs/pwm.h>
#include <applibs/spi.h>
#include <applibs/uart.h>
#include <hw/mt3620.h>

static void attempt(const char *what, int r)
{
    if (r < 0) Log_Debug("fw-escape-hl: %s: refused, errno %d\n", what, errno);
    else Log_Debug("fw-escape-hl: %s: ALLOWED (fd %d)\n", what, r);
}

int main(void)
{
    UART_Config uart;
    UART_InitConfig(&uart);
    attempt("UART ISU0", UART_Open(MT3620_ISU0_UART, &uart));
    attempt("I2C ISU0", I2CMaster_Open(MT3620_ISU0_I2C));
    SPIMaster_Config spi;
    SPIMaster_InitConfig(&spi);
    attempt("SPI ISU0", SPIMaster_Open(MT3620_ISU0_SPI, MT3620_SPI_CS_A, &spi));
    attempt("GPIO 0", GPIO_OpenAsOutput(MT3620_GPIO0, GPIO_OutputMode_PushPull, GPIO_Value_High));
    attempt("GPIO 12", GPIO_OpenAsInput(MT3620_GPIO12));
    attempt("ADC", ADC_Open(MT3620_ADC_CONTROLLER0));
    attempt("PWM 0", PWM_Open(MT3620_PWM_CONTROLLER0));
    int led = GPIO_OpenAsOutput(MT3620_GPIO8, GPIO_OutputMode_PushPull, GPIO_Value_High);
    attempt("GPIO 8 (its own)", led);
    for (int i = 0; i < 3; i++) {
        GPIO_SetValue(led, i % 2 ? GPIO_Value_High : GPIO_Value_Low);
        struct timespec t = { 0, 20000000 };
        nanosleep(&t, NULL);
    }
    Log_Debug("fw-escape-hl: done\n");
    return 0;
}
