/* applibs/gpio.h: GPIO pins through the kernel's GPIO character device. A pin must be in
   the manifest's Capabilities.Gpio, or the open fails with EACCES. */
#ifndef APPLIBS_GPIO_H
#define APPLIBS_GPIO_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef int GPIO_Id;

typedef uint8_t GPIO_Value_Type;
enum { GPIO_Value_Low = 0, GPIO_Value_High = 1 };
typedef GPIO_Value_Type GPIO_Value;

typedef uint8_t GPIO_OutputMode_Type;
enum {
    GPIO_OutputMode_PushPull = 0,
    GPIO_OutputMode_OpenDrain = 1,
    GPIO_OutputMode_OpenSource = 2,
};
typedef GPIO_OutputMode_Type GPIO_OutputMode;

int GPIO_OpenAsOutput(GPIO_Id gpioId, GPIO_OutputMode_Type outputMode,
                      GPIO_Value_Type initialValue);
int GPIO_OpenAsInput(GPIO_Id gpioId);
int GPIO_SetValue(int gpioFd, GPIO_Value_Type value);
int GPIO_GetValue(int gpioFd, GPIO_Value_Type *outValue);
#ifdef __cplusplus
}
#endif
#endif
