/* ADC over the kernel's /dev/adc0 ioctls (ADC_IOC_*, docs/kernel-and-apps.md): Linux has no
   character-device ADC interface to borrow. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <applibs/adc.h>

struct adc_poll { uint32_t channel, value; };
struct adc_vref { uint32_t channel, microvolts; };
#define ADC_IOC_POLL     _IOWR('A', 1, struct adc_poll)
#define ADC_IOC_BITS     _IOWR('A', 2, uint32_t)
#define ADC_IOC_SET_VREF _IOW('A', 3, struct adc_vref)

int ADC_Open(ADC_ControllerId id)
{
    if (id != 0) return errno = EACCES, -1;    /* the MT3620 has one controller */
    return open("/dev/adc0", O_RDWR | O_CLOEXEC);
}

int ADC_GetSampleBitCount(int fd, ADC_ChannelId channel)
{
    uint32_t value = channel;
    return ioctl(fd, ADC_IOC_BITS, &value) < 0 ? -1 : (int)value;
}

int ADC_SetReferenceVoltage(int fd, ADC_ChannelId channel, float referenceVoltage)
{
    if (!(referenceVoltage > 0.0f && referenceVoltage < 10.0f)) return errno = EINVAL, -1;
    struct adc_vref v = { channel, (uint32_t)(referenceVoltage * 1e6f + 0.5f) };
    return ioctl(fd, ADC_IOC_SET_VREF, &v);
}

int ADC_Poll(int fd, ADC_ChannelId channel, uint32_t *outSampleValue)
{
    if (!outSampleValue) return errno = EINVAL, -1;
    struct adc_poll p = { channel, 0 };
    if (ioctl(fd, ADC_IOC_POLL, &p) < 0) return -1;
    *outSampleValue = p.value;
    return 0;
}
