/* Drives PWM controller 2 channel 1 (GPIO9, LED 1 green on the RDB), as the published PWM
   high-level sample dims an LED: 1 kHz at 25 % for 100 ms, 75 % for 100 ms, then off. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <applibs/log.h>
#include <applibs/pwm.h>
#include <hw/mt3620.h>

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

int main(void)
{
    int pwm = PWM_Open(MT3620_PWM_CONTROLLER2);
    if (pwm < 0) {
        Log_Debug("PWM_Open: errno=%d (%s)\n", errno, strerror(errno));
        return 1;
    }
    PwmState state = { .period_nsec = 1000000, .dutyCycle_nsec = 250000,
                       .polarity = PWM_Polarity_Normal, .enabled = true };
    static const unsigned duty[] = { 250000, 750000 };
    for (int i = 0; i < 2; i++) {
        state.dutyCycle_nsec = duty[i];
        if (PWM_Apply(pwm, MT3620_PWM_CHANNEL1, &state) < 0) {
            Log_Debug("PWM_Apply: errno=%d\n", errno);
            return 2;
        }
        Log_Debug("pwm: duty %u/%u ns\n", state.dutyCycle_nsec, state.period_nsec);
        pause_ms(100);
    }
    state.dutyCycle_nsec = 2000000;                /* longer than the period */
    int r = PWM_Apply(pwm, MT3620_PWM_CHANNEL1, &state);
    Log_Debug("pwm: duty > period: %d, errno=%d\n", r, errno);
    r = PWM_Apply(pwm, 7, &state);
    Log_Debug("pwm: channel 7: %d, errno=%d\n", r, errno);
    state.enabled = false;
    PWM_Apply(pwm, MT3620_PWM_CHANNEL1, &state);
    Log_Debug("pwm: off\n");
    pause_ms(20);
    return 0;
}
