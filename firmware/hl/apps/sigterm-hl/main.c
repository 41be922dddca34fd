/* An app that handles the application manager's SIGTERM as the samples do: the handler only
   sets a flag; the main loop sees it, cleans up and exits. Holding button A while the stop
   arrives makes it a stuck app that never exits, for the SIGKILL that follows the grace
   period. */
#include <signal.h>
#include <string.h>
#include <time.h>

#include <applibs/gpio.h>
#include <applibs/log.h>

#include <hw/mt3620_rdb.h>

static volatile sig_atomic_t terminationRequested;

static void TerminationHandler(int signalNumber)
{
    (void)signalNumber;
    terminationRequested = 1;
}

static void SleepMs(long ms)
{
    const struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = TerminationHandler;
    sigaction(SIGTERM, &action, NULL);
    int button = GPIO_OpenAsInput(MT3620_RDB_BUTTON_A);
    Log_Debug("sigterm-hl: running until SIGTERM\n");
    while (!terminationRequested) SleepMs(50);
    GPIO_Value_Type level = GPIO_Value_High;
    if (button >= 0) GPIO_GetValue(button, &level);
    if (level == GPIO_Value_Low) {
        Log_Debug("sigterm-hl: SIGTERM while busy: not exiting\n");
        for (;;) SleepMs(1000);
    }
    Log_Debug("sigterm-hl: SIGTERM, cleaning up\n");
    SleepMs(100);
    Log_Debug("sigterm-hl: exiting\n");
    return 0;
}
