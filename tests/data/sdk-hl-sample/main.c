/* A high-level app shaped like the published samples: applibs GPIO, an EventLoop and a
   timerfd. It blinks SAMPLE_LED every 100 ms and reports button SAMPLE_BUTTON_1's level at
   each tick where it changed. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <applibs/eventloop.h>
#include <applibs/gpio.h>
#include <applibs/log.h>

#include <hw/sample_appliance.h>

static int ledFd = -1;
static int buttonFd = -1;
static GPIO_Value_Type ledState = GPIO_Value_High;   /* the RDB's LEDs are lit when low */
static GPIO_Value_Type lastButton = GPIO_Value_High;
static unsigned ticks;

static void TimerEventHandler(EventLoop *el, int fd, EventLoop_IoEvents events, void *context)
{
    (void)el;
    (void)events;
    (void)context;
    uint64_t expirations;
    if (read(fd, &expirations, sizeof expirations) != sizeof expirations) {
        Log_Debug("ERROR: timerfd read: %s (%d)\n", strerror(errno), errno);
        exit(2);
    }
    ledState = ledState == GPIO_Value_High ? GPIO_Value_Low : GPIO_Value_High;
    GPIO_SetValue(ledFd, ledState);
    GPIO_Value_Type button;
    if (GPIO_GetValue(buttonFd, &button) == 0 && button != lastButton) {
        lastButton = button;
        Log_Debug("button %s at tick %u\n", button == GPIO_Value_Low ? "pressed" : "released",
                  ticks);
    }
    ticks++;
}

int main(void)
{
    Log_Debug("Starting the SDK sample high-level app...\n");
    ledFd = GPIO_OpenAsOutput(SAMPLE_LED, GPIO_OutputMode_PushPull, GPIO_Value_High);
    buttonFd = GPIO_OpenAsInput(SAMPLE_BUTTON_1);
    if (ledFd < 0 || buttonFd < 0) {
        Log_Debug("ERROR: opening GPIO: %s (%d)\n", strerror(errno), errno);
        return 1;
    }
    EventLoop *loop = EventLoop_Create();
    int timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    const struct itimerspec period = {.it_interval = {0, 100 * 1000 * 1000},
                                      .it_value = {0, 100 * 1000 * 1000}};
    if (loop == NULL || timerFd < 0 || timerfd_settime(timerFd, 0, &period, NULL) != 0 ||
        EventLoop_RegisterIo(loop, timerFd, EventLoop_Input, TimerEventHandler, NULL) == NULL) {
        Log_Debug("ERROR: event loop set-up: %s (%d)\n", strerror(errno), errno);
        return 1;
    }
    Log_Debug("Blinking LED 1 red every 100 ms\n");
    while (EventLoop_Run(loop, -1, true) != EventLoop_Run_Failed) {
    }
    Log_Debug("ERROR: EventLoop_Run: %s (%d)\n", strerror(errno), errno);
    return 1;
}
