/* reboot(2) as Linux numbers it: restart (Capabilities.PowerControls "ForceReboot") and power
   off (ForcePowerDown; the argument of our LINUX_REBOOT_CMD_POWER_OFF is the longest time in
   seconds to stay down). The kernel asks the Security Monitor, which has the emulator reset
   the machine and boot again (SM_REBOOT) or end the run (SM_POWER_DOWN). A call the manifest
   does not allow is EPERM, as Linux answers a process without CAP_SYS_BOOT. */
#include "a7.h"
#include "kernel.h"
#include "linux.h"
#include "sm_abi.h"

#define REBOOT_MAGIC1      0xFEE1DEADu
#define REBOOT_MAGIC2      672274793u
#define REBOOT_MAGIC2A     85072278u
#define REBOOT_MAGIC2B     369367448u
#define REBOOT_MAGIC2C     537993216u
#define CMD_RESTART        0x01234567u
#define CMD_POWER_OFF      0x4321FEDCu

int32_t sys_reboot(uint32_t magic1, uint32_t magic2, uint32_t cmd, uint32_t arg)
{
    if (magic1 != REBOOT_MAGIC1 || (magic2 != REBOOT_MAGIC2 && magic2 != REBOOT_MAGIC2A
                                    && magic2 != REBOOT_MAGIC2B && magic2 != REBOOT_MAGIC2C))
        return -EINVAL;
    const struct manifest *m = proc_manifest();
    if (cmd == CMD_RESTART) {
        if (!(m->power & POWER_REBOOT)) return refuse(-EPERM, "PowerControls ForceReboot");
        kprintf("[kernel] %s: reboot requested\n", m->name);
        smc_call_regs(SM_REBOOT, 0, 0, 0);
        return -EIO;                                       /* not reached */
    }
    if (cmd == CMD_POWER_OFF) {
        if (!(m->power & POWER_DOWN)) return refuse(-EPERM, "PowerControls ForcePowerDown");
        kprintf("[kernel] %s: power down requested for at most %u s\n", m->name, (unsigned)arg);
        smc_call_regs(SM_POWER_DOWN, arg, 0, 0);
        return -EIO;
    }
    return -EINVAL;
}
