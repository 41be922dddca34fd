/* /dev/adc0: the ADC controller (0x38000100) for Capabilities.Adc "ADC-CONTROLLER-0".
   Linux has no character-device UAPI for an ADC (IIO is sysfs), so the calls are ioctls of
   ours (docs/kernel-and-apps.md): ADC_IOC_POLL converts one channel once, ADC_IOC_BITS gives
   the sample width (12), ADC_IOC_SET_VREF accepts the reference the model converts against
   (2.5 V; the external 1.8 V reference is not modelled: EINVAL).

   A poll is a one-shot conversion through the registers: FSM_EN with that channel alone in
   CH_MAP, then the driver sleeps in WFI until the FIFO's interrupt (one entry, IER.RXFEN)
   and pops the entry (code << 4 | channel). */
#include "kernel.h"
#include "linux.h"
#include "mt3620-a7.h"

#define ADC(off)        REG32(0x38000100u + (off))
#define ADC_CTL0        0x000u
#define ADC_FIFO_RBR    0x100u
#define ADC_FIFO_IER    0x104u
#define ADC_FIFO_LSR    0x114u
#define ADC_FIFO_TRI_LVL 0x160u
#define FSM_EN          1u
#define T_INIT_CLOCKS   20u
#define RXFEN           1u
#define ADC_IRQ         102u   /* GIC id: 32 + NVIC 70 */
#define CHANNELS        8u
#define VREF_UV         2500000u

#define ADC_IOC_POLL     0xC0084101u   /* _IOWR('A', 1, struct adc_poll) */
#define ADC_IOC_BITS     0xC0044102u   /* _IOWR('A', 2, uint32_t): channel in, bits out */
#define ADC_IOC_SET_VREF 0x40084103u   /* _IOW('A', 3, struct adc_vref) */
struct adc_poll { uint32_t channel, value; };
struct adc_vref { uint32_t channel, microvolts; };

static int sampled(void *ctx) { (void)ctx; return (int)(ADC(ADC_FIFO_LSR) & 1u); }

static int32_t poll_channel(uint32_t channel, uint32_t *value)
{
    ADC(ADC_CTL0) = 0;                                     /* stop: FSM_EN 0 -> 1 starts */
    while (ADC(ADC_FIFO_LSR) & 1u) (void)ADC(ADC_FIFO_RBR); /* nothing stale */
    ADC(ADC_FIFO_TRI_LVL) = 1u << 2;
    ADC(ADC_FIFO_IER) = RXFEN;
    ADC(ADC_CTL0) = (1u << channel) << 16 | T_INIT_CLOCKS << 9 | FSM_EN;
    int done = irq_wait(ADC_IRQ, sampled, 0, 10000000u);
    uint32_t entry = done ? ADC(ADC_FIFO_RBR) : 0;
    ADC(ADC_FIFO_IER) = 0;
    ADC(ADC_CTL0) = 0;
    if (!done) return -ETIMEDOUT;
    if ((entry & 0xFu) != channel) return -EIO;
    *value = entry >> 4 & 0xFFFu;
    return 0;
}

static int32_t adc_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    (void)f;
    uint32_t size = req >> 16 & 0x3FFFu;
    if ((req == ADC_IOC_POLL || req == ADC_IOC_BITS || req == ADC_IOC_SET_VREF)
        && !user_ok(arg, size, req != ADC_IOC_SET_VREF)) return -EFAULT;
    uint32_t *words = (uint32_t *)arg;
    switch (req) {
    case ADC_IOC_POLL:
        if (words[0] >= CHANNELS) return -EINVAL;
        return poll_channel(words[0], &words[1]);
    case ADC_IOC_BITS:
        if (words[0] >= CHANNELS) return -EINVAL;
        words[0] = 12;
        return 0;
    case ADC_IOC_SET_VREF:
        return words[0] < CHANNELS && words[1] == VREF_UV ? 0 : -EINVAL;
    default:
        return -ENOTTY;
    }
}

static const struct file_ops adc_ops = { .name = "adc", .ioctl = adc_ioctl, .mode = S_IFCHR };

int32_t adc_open(int controller, uint32_t flags)
{
    if (!(proc_manifest()->adc >> controller & 1u)) return refuse(-EACCES, "Adc ADC-CONTROLLER-0");
    return fd_install(&adc_ops, flags, controller);
}
