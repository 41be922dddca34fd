/* PWM over the kernel's /dev/pwmN PWM_IOC_APPLY (a pwm_state-shaped request of ours:
   Linux's PWM interface is sysfs). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <applibs/pwm.h>

struct pwm_apply { uint32_t channel, period_ns, duty_ns, polarity, enabled; };
#define PWM_IOC_APPLY _IOW('P', 1, struct pwm_apply)

int PWM_Open(PWM_ControllerId pwm)
{
    if (pwm > 2) return errno = EACCES, -1;
    char path[12];
    snprintf(path, sizeof path, "/dev/pwm%u", (unsigned)pwm);
    return open(path, O_RDWR | O_CLOEXEC);
}

int PWM_Apply(int pwmFd, PWM_ChannelId pwmChannel, const PwmState *newState)
{
    if (!newState) return errno = EINVAL, -1;
    struct pwm_apply a = { pwmChannel, newState->period_nsec, newState->dutyCycle_nsec,
                           (uint32_t)newState->polarity, newState->enabled };
    return ioctl(pwmFd, PWM_IOC_APPLY, &a);
}
