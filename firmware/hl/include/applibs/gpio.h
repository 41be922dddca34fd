/* GPIO as in Azure Sphere's applibs/gpio.h. A pin must be listed in the manifest's
   Capabilities.Gpio (by number), or the open fails with EPERM. */
#ifndef APPLIBS_GPIO_H
#define APPLIBS_GPIO_H
typedef int GPIO_Id;
typedef int GPIO_Value_Type;
#define GPIO_Value_Low  0
#define GPIO_Value_High 1
typedef int GPIO_OutputMode_Type;
#define GPIO_OutputMode_PushPull   0
#define GPIO_OutputMode_OpenDrain  1
#define GPIO_OutputMode_OpenSource 2
int GPIO_OpenAsOutput(GPIO_Id gpioId, GPIO_OutputMode_Type outputMode,
                      GPIO_Value_Type initialValue);
int GPIO_OpenAsInput(GPIO_Id gpioId);
int GPIO_SetValue(int gpioFd, GPIO_Value_Type value);
int GPIO_GetValue(int gpioFd, GPIO_Value_Type *outValue);
#endif
