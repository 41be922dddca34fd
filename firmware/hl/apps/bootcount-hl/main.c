/* Counts its boots in mutable storage, as the MutableStorage sample keeps its state: read
   the counter, add one, write it back, print it. Then tries a write past its 1 KiB quota
   and runs until the application manager stops it (SIGTERM). Storage the OS cannot give
   (EIO: a damaged partition) is deleted and started afresh, the documented way back. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <applibs/log.h>
#include <applibs/storage.h>

static volatile sig_atomic_t terminationRequested;

static void TerminationHandler(int signalNumber)
{
    (void)signalNumber;
    terminationRequested = 1;
}

static int OpenStorage(void)
{
    int fd = Storage_OpenMutableFile();
    if (fd >= 0 || errno != EIO) {
        if (fd < 0) Log_Debug("Storage_OpenMutableFile: errno %d (%s)\n", errno, strerror(errno));
        return fd;
    }
    Log_Debug("Storage_OpenMutableFile: errno %d (%s): starting afresh\n", errno, strerror(errno));
    int r = Storage_DeleteMutableFile();
    Log_Debug("Storage_DeleteMutableFile: %d\n", r);
    return Storage_OpenMutableFile();
}

int main(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = TerminationHandler;
    sigaction(SIGTERM, &action, NULL);

    int fd = OpenStorage();
    if (fd < 0) return 1;
    unsigned count = 0;
    if (read(fd, &count, sizeof count) != (ssize_t)sizeof count) count = 0;   /* a new file */
    count++;
    lseek(fd, 0, SEEK_SET);
    if (write(fd, &count, sizeof count) != (ssize_t)sizeof count) {
        Log_Debug("write: errno %d (%s)\n", errno, strerror(errno));
        return 1;
    }
    static const char tail[8] = "overflow";
    lseek(fd, 1020, SEEK_SET);
    int r = (int)write(fd, tail, sizeof tail);
    Log_Debug("write past the 1 KiB quota: %d, errno %d (%s)\n", r, errno, strerror(errno));
    close(fd);
    Log_Debug("boot count %u\n", count);

    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
    while (!terminationRequested) nanosleep(&tick, NULL);
    Log_Debug("bootcount-hl: SIGTERM, exiting\n");
    return 0;
}
