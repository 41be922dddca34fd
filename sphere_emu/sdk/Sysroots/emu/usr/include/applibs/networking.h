/* applibs/networking.h: network status. The emulated device has its Wi-Fi interface but no
   network yet: it is not ready, and the interface is down. */
#ifndef APPLIBS_NETWORKING_H
#define APPLIBS_NETWORKING_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef uint8_t Networking_IpType_Type;
enum { Networking_IpType_DhcpNone = 0, Networking_IpType_DhcpClient = 1 };

typedef uint8_t Networking_InterfaceMedium_Type;
enum {
    Networking_InterfaceMedium_Unspecified = 0,
    Networking_InterfaceMedium_Wifi = 1,
    Networking_InterfaceMedium_Ethernet = 2,
};

typedef uint32_t Networking_InterfaceConnectionStatus;
enum {
    Networking_InterfaceConnectionStatus_InterfaceUp = 1 << 0,
    Networking_InterfaceConnectionStatus_ConnectedToNetwork = 1 << 1,
    Networking_InterfaceConnectionStatus_IpAvailable = 1 << 2,
    Networking_InterfaceConnectionStatus_ConnectedToInternet = 1 << 3,
};

typedef struct Networking_NetworkInterface {
    uint32_t z__magicAndVersion;
    bool isEnabled;
    char interfaceName[IF_NAMESIZE];
    uint32_t reserved;
    Networking_IpType_Type ipConfigurationType;
    Networking_InterfaceMedium_Type interfaceMediumType;
} Networking_NetworkInterface;

int Networking_IsNetworkingReady(bool *outIsNetworkingReady);
ssize_t Networking_GetInterfaceCount(void);
ssize_t Networking_GetInterfaces(Networking_NetworkInterface *outNetworkInterfacesArray,
                                 size_t networkInterfacesArrayCount);
int Networking_GetInterfaceConnectionStatus(const char *networkInterfaceName,
                                            Networking_InterfaceConnectionStatus *outStatus);
#ifdef __cplusplus
}
#endif
#endif
