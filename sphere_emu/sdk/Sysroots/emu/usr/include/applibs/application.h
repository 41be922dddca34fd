/* applibs/application.h: a socket to a real-time app. Both manifests must list each other
   in AllowedApplicationConnections (EACCES otherwise). Each send() is one message of at
   most 1024 bytes; the socket is non-blocking (recv gives EAGAIN when nothing waits). */
#ifndef APPLIBS_APPLICATION_H
#define APPLIBS_APPLICATION_H
#ifdef __cplusplus
extern "C" {
#endif
int Application_Connect(const char *componentId);
#ifdef __cplusplus
}
#endif
#endif
