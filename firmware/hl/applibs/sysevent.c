/* System-event notifications: the registration is the kernel's /dev/sysevent in the event
   loop (opening it checks SystemEventNotifications); it never becomes readable, because the
   emulated OS never has an update to announce. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <applibs/sysevent.h>

struct sysevent_reg { int fd; EventLoop *el; EventRegistration *io; };
static struct sysevent_reg *regs[4];

static void never_called(EventLoop *el, int fd, EventLoop_IoEvents events, void *context)
{
    (void)el, (void)fd, (void)events, (void)context;
}

EventRegistration *SysEvent_RegisterForEventNotifications(EventLoop *el, SysEvent_Events eventBitmask,
                                                          SysEvent_EventsCallback *callback,
                                                          void *context)
{
    (void)context;
    if (!el || !callback || !eventBitmask || eventBitmask & ~(SysEvent_Events)SysEvent_Events_Mask)
        return errno = EINVAL, NULL;
    unsigned slot = 0;
    while (slot < 4 && regs[slot]) slot++;
    if (slot == 4) return errno = ENOMEM, NULL;
    int fd = open("/dev/sysevent", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct sysevent_reg *r = malloc(sizeof *r);
    EventRegistration *io = r ? EventLoop_RegisterIo(el, fd, EventLoop_Input, never_called, NULL) : NULL;
    if (!io) {
        int saved = r ? errno : ENOMEM;
        free(r);
        close(fd);
        return errno = saved, NULL;
    }
    *r = (struct sysevent_reg){ fd, el, io };
    regs[slot] = r;
    return io;
}

int SysEvent_UnregisterForEventNotifications(EventRegistration *reg)
{
    for (unsigned i = 0; i < 4; i++) {
        struct sysevent_reg *r = regs[i];
        if (!r || r->io != reg) continue;
        EventLoop_UnregisterIo(r->el, reg);
        close(r->fd);
        free(r);
        regs[i] = NULL;
        return 0;
    }
    return errno = EINVAL, -1;
}

/* No event is ever pending, so there is nothing to defer or resume. */
int SysEvent_DeferEvent(SysEvent_Events event, uint32_t requested_defer_time_in_minutes)
{
    (void)event, (void)requested_defer_time_in_minutes;
    return errno = EINVAL, -1;
}

int SysEvent_ResumeEvent(SysEvent_Events event)
{
    (void)event;
    return errno = EINVAL, -1;
}
