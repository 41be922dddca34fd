/* UART_Open: the ISU's tty (/dev/ttyISUn), configured through termios. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <applibs/uart.h>

#define UART_ID_ISU0 4          /* hw/mt3620.h: MT3620_ISU0_UART */
#define UART_CONFIG_MAGIC 0x1A0C0001u

void UART_InitConfig(UART_Config *config)
{
    memset(config, 0, sizeof *config);
    config->z__magicAndVersion = UART_CONFIG_MAGIC;
    config->baudRate = 115200;
    config->blockingMode = UART_BlockingMode_NonBlocking;
    config->dataBits = UART_DataBits_Eight;
    config->parity = UART_Parity_None;
    config->stopBits = UART_StopBits_One;
    config->flowControl = UART_FlowControl_None;
}

static speed_t speed_of(UART_BaudRate_Type baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

int UART_Open(UART_Id uartId, const UART_Config *config)
{
    int isu = uartId - UART_ID_ISU0;
    speed_t speed = config ? speed_of(config->baudRate) : 0;
    if (!config || isu < 0 || isu > 4 || !speed || config->dataBits < 5 || config->dataBits > 8) {
        errno = EINVAL;
        return -1;
    }
    char path[] = "/dev/ttyISU0";
    path[sizeof path - 2] = (char)('0' + isu);
    int flags = O_RDWR | O_NOCTTY | O_CLOEXEC;
    if (config->blockingMode == UART_BlockingMode_NonBlocking) flags |= O_NONBLOCK;
    int fd = open(path, flags);
    if (fd < 0) return -1;
    struct termios t;
    memset(&t, 0, sizeof t);
    t.c_cflag = CREAD | CLOCAL | (tcflag_t)(config->dataBits == 8 ? CS8 : config->dataBits == 7 ? CS7
                                             : config->dataBits == 6 ? CS6 : CS5);
    if (config->parity != UART_Parity_None) t.c_cflag |= PARENB | (config->parity == UART_Parity_Odd ? PARODD : 0);
    if (config->stopBits == UART_StopBits_Two) t.c_cflag |= CSTOPB;
    if (config->flowControl == UART_FlowControl_RTSCTS) t.c_cflag |= CRTSCTS;
    cfsetspeed(&t, speed);
    if (tcsetattr(fd, TCSANOW, &t) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
