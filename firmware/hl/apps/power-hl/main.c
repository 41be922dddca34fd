/* Power requests reach the emulator: the app asks to power down for 60 s and, if its
   manifest does not allow that (EPERM), to reboot. With ForceReboot the device boots again
   (and the app with it); with ForcePowerDown the run ends. */
#include <errno.h>
#include <string.h>
#include <applibs/log.h>
#include <applibs/powermanagement.h>

int main(void)
{
    Log_Debug("power-hl: asking to power down\n");
    int r = PowerManagement_ForceSystemPowerDown(60);
    Log_Debug("power down: %d, errno %d (%s)\n", r, errno, strerror(errno));
    Log_Debug("power-hl: asking to reboot\n");
    r = PowerManagement_ForceSystemReboot();
    Log_Debug("reboot: %d, errno %d (%s)\n", r, errno, strerror(errno));
    return 1;
}
