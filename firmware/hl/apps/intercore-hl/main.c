/* The high-level half of the inter-core pair: sends three messages to the RT app
   intercore-rt and logs each reply (the RT app answers "echo: " + the message). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <applibs/application.h>
#include <applibs/log.h>

static const char rt_app[] = "5a1e0005-6d0c-4f3e-9b9e-000000000005";

int main(void)
{
    int sock = Application_Connect(rt_app);
    if (sock < 0) {
        Log_Debug("intercore-hl: Application_Connect failed, errno %d\n", errno);
        return 1;
    }
    for (int i = 1; i <= 3; i++) {
        char msg[32], reply[128];
        int len = snprintf(msg, sizeof msg, "ping %d", i);
        if (send(sock, msg, (size_t)len, 0) != len) {
            Log_Debug("intercore-hl: send failed, errno %d\n", errno);
            return 1;
        }
        Log_Debug("intercore-hl: sent \"%s\"\n", msg);
        /* recv() does not block: poll every millisecond, for at most two seconds. */
        int n = -1;
        for (int tries = 0; tries < 2000; tries++) {
            n = (int)recv(sock, reply, sizeof reply - 1, 0);
            if (n >= 0 || errno != EAGAIN) break;
            struct timespec ms = { 0, 1000000 };
            nanosleep(&ms, 0);
        }
        if (n < 0) {
            Log_Debug("intercore-hl: no reply, errno %d\n", errno);
            return 1;
        }
        reply[n] = '\0';
        Log_Debug("intercore-hl: received \"%s\"\n", reply);
    }
    Log_Debug("intercore-hl: done\n");
    return 0;
}
