/* Inter-core messaging with a real-time app (Azure Sphere's applibs/application.h).
   Both manifests must list each other in AllowedApplicationConnections. The descriptor is
   used with send()/recv() (sys/socket.h); each send() is one message of at most 1024 bytes. */
#ifndef APPLIBS_APPLICATION_H
#define APPLIBS_APPLICATION_H
int Application_Connect(const char *componentId);
#endif
