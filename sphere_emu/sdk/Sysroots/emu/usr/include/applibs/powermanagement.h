/* applibs/powermanagement.h: reboot and power-down requests, through reboot(2). Each needs
   its value in the manifest's Capabilities.PowerControls. */
#ifndef APPLIBS_POWERMANAGEMENT_H
#define APPLIBS_POWERMANAGEMENT_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef uint32_t PowerManagement_System_PowerProfile;
enum {
    PowerManagement_PowerSaver = 0,
    PowerManagement_Balanced = 1,
    PowerManagement_HighPerformance = 2,
};

int PowerManagement_ForceSystemReboot(void);
int PowerManagement_ForceSystemPowerDown(unsigned int maximum_residency_in_seconds);
int PowerManagement_SetSystemPowerProfile(PowerManagement_System_PowerProfile desiredProfile);
#ifdef __cplusplus
}
#endif
#endif
