/* Power requests as reboot(2): the kernel checks PowerControls and hands them to the
   Security Monitor, which has the emulator reboot the device or end the run. */
#include <errno.h>
#include <unistd.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <linux/reboot.h>
#include <applibs/powermanagement.h>

int PowerManagement_ForceSystemReboot(void)
{
    return (int)syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                        LINUX_REBOOT_CMD_RESTART, 0);
}

int PowerManagement_ForceSystemPowerDown(unsigned int maximum_residency_in_seconds)
{
    return (int)syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                        LINUX_REBOOT_CMD_POWER_OFF, maximum_residency_in_seconds);
}

/* The model has one power profile: any valid request is accepted and changes nothing. */
int PowerManagement_SetSystemPowerProfile(PowerManagement_System_PowerProfile desiredProfile)
{
    if (desiredProfile > PowerManagement_HighPerformance) return errno = EINVAL, -1;
    return 0;
}
