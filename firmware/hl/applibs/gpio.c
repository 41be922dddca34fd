/* GPIO over the Linux GPIO character device (linux/gpio.h, v1 line handles): one line
   handle per pin; the kernel checks Capabilities.Gpio when the handle is requested. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/gpio.h>
#include <applibs/gpio.h>

static int open_line(GPIO_Id gpioId, uint32_t flags, GPIO_Value_Type value)
{
    if (gpioId < 0) {
        errno = EINVAL;
        return -1;
    }
    int chip = open("/dev/gpiochip0", O_RDONLY | O_CLOEXEC);
    if (chip < 0) return -1;
    struct gpiohandle_request req;
    memset(&req, 0, sizeof req);
    req.lineoffsets[0] = (uint32_t)gpioId;
    req.lines = 1;
    req.flags = flags;
    req.default_values[0] = value;
    strcpy(req.consumer_label, "applibs");
    int r = ioctl(chip, GPIO_GET_LINEHANDLE_IOCTL, &req);
    int saved = errno;
    close(chip);
    errno = saved;
    return r < 0 ? -1 : req.fd;
}

int GPIO_OpenAsOutput(GPIO_Id gpioId, GPIO_OutputMode_Type outputMode, GPIO_Value_Type initialValue)
{
    uint32_t flags = GPIOHANDLE_REQUEST_OUTPUT;
    if (outputMode == GPIO_OutputMode_OpenDrain) flags |= GPIOHANDLE_REQUEST_OPEN_DRAIN;
    else if (outputMode == GPIO_OutputMode_OpenSource) flags |= GPIOHANDLE_REQUEST_OPEN_SOURCE;
    else if (outputMode != GPIO_OutputMode_PushPull) {
        errno = EINVAL;
        return -1;
    }
    return open_line(gpioId, flags, initialValue ? 1 : 0);
}

int GPIO_OpenAsInput(GPIO_Id gpioId) { return open_line(gpioId, GPIOHANDLE_REQUEST_INPUT, 0); }

int GPIO_SetValue(int gpioFd, GPIO_Value_Type value)
{
    struct gpiohandle_data data;
    memset(&data, 0, sizeof data);
    data.values[0] = value ? 1 : 0;
    if (ioctl(gpioFd, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &data) < 0) {
        if (errno == EPERM) errno = EINVAL;   /* an input: applibs documents EINVAL */
        return -1;
    }
    return 0;
}

int GPIO_GetValue(int gpioFd, GPIO_Value_Type *outValue)
{
    struct gpiohandle_data data;
    if (ioctl(gpioFd, GPIOHANDLE_GET_LINE_VALUES_IOCTL, &data) < 0) return -1;
    *outValue = data.values[0] ? GPIO_Value_High : GPIO_Value_Low;
    return 0;
}
