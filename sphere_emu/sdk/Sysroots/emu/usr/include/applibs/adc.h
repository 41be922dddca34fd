/* applibs/adc.h: the ADC controller through the kernel's /dev/adc0. The controller must be
   in the manifest's Capabilities.Adc, or the open fails with EACCES. */
#ifndef APPLIBS_ADC_H
#define APPLIBS_ADC_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef uint32_t ADC_ControllerId;
typedef uint32_t ADC_ChannelId;

int ADC_Open(ADC_ControllerId id);
int ADC_GetSampleBitCount(int fd, ADC_ChannelId channel);
int ADC_SetReferenceVoltage(int fd, ADC_ChannelId channel, float referenceVoltage);
int ADC_Poll(int fd, ADC_ChannelId channel, uint32_t *outSampleValue);
#ifdef __cplusplus
}
#endif
#endif
