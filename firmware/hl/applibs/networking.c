/* Network status: one Wi-Fi interface, wlan0, enabled but not connected; networking is not
   ready (no network is modelled yet). */
#include <errno.h>
#include <string.h>
#include <applibs/networking.h>

#define INTERFACE_MAGIC 0x4E490001u

int Networking_IsNetworkingReady(bool *outIsNetworkingReady)
{
    if (!outIsNetworkingReady) return errno = EFAULT, -1;
    *outIsNetworkingReady = false;
    return 0;
}

ssize_t Networking_GetInterfaceCount(void) { return 1; }

ssize_t Networking_GetInterfaces(Networking_NetworkInterface *outNetworkInterfacesArray,
                                 size_t networkInterfacesArrayCount)
{
    if (!outNetworkInterfacesArray) return errno = EFAULT, -1;
    if (!networkInterfacesArrayCount) return 0;
    Networking_NetworkInterface *i = &outNetworkInterfacesArray[0];
    memset(i, 0, sizeof *i);
    i->z__magicAndVersion = INTERFACE_MAGIC;
    i->isEnabled = true;
    strcpy(i->interfaceName, "wlan0");
    i->ipConfigurationType = Networking_IpType_DhcpClient;
    i->interfaceMediumType = Networking_InterfaceMedium_Wifi;
    return 1;
}

int Networking_GetInterfaceConnectionStatus(const char *networkInterfaceName,
                                            Networking_InterfaceConnectionStatus *outStatus)
{
    if (!networkInterfaceName || !outStatus) return errno = EFAULT, -1;
    if (strcmp(networkInterfaceName, "wlan0") != 0) return errno = ENODEV, -1;
    *outStatus = 0;                            /* down: no network is modelled */
    return 0;
}
