/* Each peripheral call whose capability the manifest lacks (only Gpio 8 is listed): the
   kernel refuses it with the errno applibs documents and one console line naming the app and
   the capability, and the app carries on. Then the status calls that need no capability:
   networking is not ready, no system event ever arrives. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <applibs/adc.h>
#include <applibs/eventloop.h>
#include <applibs/gpio.h>
#include <applibs/i2c.h>
#include <applibs/log.h>
#include <applibs/networking.h>
#include <applibs/powermanagement.h>
#include <applibs/pwm.h>
#include <applibs/spi.h>
#include <applibs/sysevent.h>
#include <hw/mt3620.h>

static void report(const char *what, int r)
{
    if (r < 0) Log_Debug("%s -> -1, errno %d (%s)\n", what, errno, strerror(errno));
    else Log_Debug("%s -> %d\n", what, r);
}

static void on_event(SysEvent_Events event, SysEvent_Status state, const SysEvent_Info *info,
                     void *context)
{
    (void)state, (void)info, (void)context;
    Log_Debug("system event %u\n", (unsigned)event);
}

int main(void)
{
    report("I2CMaster_Open(ISU2)", I2CMaster_Open(MT3620_ISU2_I2C));
    SPIMaster_Config config;
    SPIMaster_InitConfig(&config);
    report("SPIMaster_Open(ISU1, CS A)", SPIMaster_Open(MT3620_ISU1_SPI, MT3620_SPI_CS_A, &config));
    report("ADC_Open(0)", ADC_Open(MT3620_ADC_CONTROLLER0));
    report("PWM_Open(2)", PWM_Open(MT3620_PWM_CONTROLLER2));
    report("PowerManagement_ForceSystemReboot", PowerManagement_ForceSystemReboot());
    report("PowerManagement_ForceSystemPowerDown", PowerManagement_ForceSystemPowerDown(10));
    EventLoop *el = EventLoop_Create();
    EventRegistration *reg = SysEvent_RegisterForEventNotifications(
        el, SysEvent_Events_UpdateReadyForInstall, on_event, NULL);
    report("SysEvent_RegisterForEventNotifications", reg ? 0 : -1);

    bool ready = true;
    report("Networking_IsNetworkingReady", Networking_IsNetworkingReady(&ready));
    Log_Debug("networking ready: %s\n", ready ? "yes" : "no");
    Networking_NetworkInterface ifs[2];
    ssize_t n = Networking_GetInterfaces(ifs, 2);
    Networking_InterfaceConnectionStatus status = 0xFF;
    Networking_GetInterfaceConnectionStatus(ifs[0].interfaceName, &status);
    Log_Debug("%zd interface: %s, enabled %d, status %#x\n", n, ifs[0].interfaceName,
              ifs[0].isEnabled, (unsigned)status);

    int led = GPIO_OpenAsOutput(MT3620_GPIO8, GPIO_OutputMode_PushPull, GPIO_Value_Low);
    GPIO_SetValue(led, GPIO_Value_High);
    Log_Debug("caps-hl still running after the refusals\n");
    return 0;
}
