/* /dev/pwmN: PWM controller N (the PWM block in GPIO group N, 0x38011000 + N * 0x10000;
   its channels 0-3 drive GPIO 4N..4N+3) for Capabilities.Pwm "PWM-CONTROLLER-N". Linux's PWM
   UAPI is sysfs, so the call is an ioctl of ours shaped like Linux's pwm_state:
   PWM_IOC_APPLY { channel, period_ns, duty_ns, polarity, enabled }.

   A channel runs from a kick of its CTRL with the clock enabled: `duty` ticks high, then
   `period - duty` ticks low (inverted with the polarity bit). The tick clock (32.768 kHz,
   2 MHz or 26 MHz) is one per controller: the fastest whose 16-bit on/off counts hold the
   request, chosen while no other channel of the controller runs; a request that does not
   fit the clock the running channels use is EINVAL. */
#include "kernel.h"
#include "linux.h"
#include "mt3620-a7.h"

#define PWM(n, off)     REG32(0x38011000u + (uint32_t)(n) * 0x10000u + (off))
#define PWM_GLO_CTRL    0x000u
#define PWM_CTRL(c)     (0x100u + 0x10u * (c))
#define PWM_PARAM_S0(c) (0x104u + 0x10u * (c))
#define KICK            (1u << 0)
#define POLARITY        (1u << 2)
#define CLOCK_EN        (1u << 4)
#define CONTROLLERS     3u
#define CHANNELS        4u

#define PWM_IOC_APPLY   0x40145001u   /* _IOW('P', 1, struct pwm_apply) */
struct pwm_apply { uint32_t channel, period_ns, duty_ns, polarity, enabled; };

static const uint32_t clock_hz[3] = { 32768u, 2000000u, 26000000u };
static uint8_t running[CONTROLLERS];   /* bit c: channel c runs */

static uint32_t ticks(uint32_t ns, uint32_t hz)
{
    return (uint32_t)(((uint64_t)ns * hz + 500000000u) / 1000000000u);
}

static int32_t apply(int n, const struct pwm_apply *a)
{
    if (a->channel >= CHANNELS) return -ENODEV;
    uint32_t c = a->channel;
    if (!a->enabled) {                                     /* the rest of the state is moot */
        PWM(n, PWM_CTRL(c)) = 0;                           /* clock off: the pad goes back */
        running[n] &= (uint8_t)~(1u << c);
        return 0;
    }
    if (!a->period_ns || a->duty_ns > a->period_ns || a->polarity > 1u) return -EINVAL;
    uint32_t glo = PWM(n, PWM_GLO_CTRL);
    int others = (running[n] & ~(1u << c)) != 0;
    int sel = -1;
    for (int k = 2; k >= 0; k--) {
        if (others && k != (int)(glo >> 1 & 3u)) continue;
        if (ticks(a->duty_ns, clock_hz[k]) <= 0xFFFFu
            && ticks(a->period_ns - a->duty_ns, clock_hz[k]) <= 0xFFFFu) {
            sel = k;
            break;
        }
    }
    if (sel < 0) return -EINVAL;
    PWM(n, PWM_GLO_CTRL) = (glo & ~0x6u) | (uint32_t)sel << 1;
    uint32_t on = ticks(a->duty_ns, clock_hz[sel]);
    uint32_t off = ticks(a->period_ns - a->duty_ns, clock_hz[sel]);
    PWM(n, PWM_PARAM_S0(c)) = off << 16 | on;
    uint32_t ctrl = CLOCK_EN | (a->polarity ? POLARITY : 0u);
    PWM(n, PWM_CTRL(c)) = ctrl | KICK;
    running[n] |= (uint8_t)(1u << c);
    return 0;
}

static int32_t pwm_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    if (req != PWM_IOC_APPLY) return -ENOTTY;
    if (!user_ok(arg, sizeof(struct pwm_apply), 0)) return -EFAULT;
    return apply(f->unit, (const struct pwm_apply *)arg);
}

static const struct file_ops pwm_ops = { .name = "pwm", .ioctl = pwm_ioctl, .mode = S_IFCHR };

int32_t pwm_open(int controller, uint32_t flags)
{
    if (!(proc_manifest()->pwm >> controller & 1u)) {
        static char cap[] = "Pwm PWM-CONTROLLER-0";
        cap[sizeof cap - 2] = (char)('0' + controller);
        return refuse(-EACCES, cap);
    }
    return fd_install(&pwm_ops, flags, controller);
}
