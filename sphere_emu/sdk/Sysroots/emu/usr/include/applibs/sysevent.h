/* applibs/sysevent.h: registration for system-event (update) notifications, which needs
   Capabilities.SystemEventNotifications. The emulated OS never updates itself, so no
   event ever arrives. */
#ifndef APPLIBS_SYSEVENT_H
#define APPLIBS_SYSEVENT_H
#include <stdint.h>
#include <applibs/eventloop.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef uint32_t SysEvent_Events;
enum {
    SysEvent_Events_None = 0x00,
    SysEvent_Events_UpdateReadyForInstall = 0x01,
    SysEvent_Events_UpdateStarted = 0x02,
    SysEvent_Events_NoUpdateAvailable = 0x04,
    SysEvent_Events_Mask = 0x07,
};

typedef uint32_t SysEvent_Status;
enum {
    SysEvent_Status_Invalid = 0,
    SysEvent_Status_Pending = 1,
    SysEvent_Status_Final = 2,
    SysEvent_Status_Deferred = 3,
    SysEvent_Status_Complete = 4,
};

typedef struct SysEvent_Info SysEvent_Info;
typedef void SysEvent_EventsCallback(SysEvent_Events event, SysEvent_Status state,
                                     const SysEvent_Info *info, void *context);

EventRegistration *SysEvent_RegisterForEventNotifications(EventLoop *el,
                                                          SysEvent_Events eventBitmask,
                                                          SysEvent_EventsCallback *callback,
                                                          void *context);
int SysEvent_UnregisterForEventNotifications(EventRegistration *reg);
int SysEvent_DeferEvent(SysEvent_Events event, uint32_t requested_defer_time_in_minutes);
int SysEvent_ResumeEvent(SysEvent_Events event);
#ifdef __cplusplus
}
#endif
#endif
