/* Reads ADC channel 1 (a potentiometer on the sample board) four times, 100 ms apart, as
   the published ADC high-level sample does: 12-bit samples against a 2.5 V reference. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <applibs/adc.h>
#include <applibs/log.h>
#include <hw/mt3620.h>

int main(void)
{
    int adc = ADC_Open(MT3620_ADC_CONTROLLER0);
    if (adc < 0) {
        Log_Debug("ADC_Open: errno=%d (%s)\n", errno, strerror(errno));
        return 1;
    }
    int bits = ADC_GetSampleBitCount(adc, MT3620_ADC_CHANNEL1);
    Log_Debug("ADC: %d-bit samples\n", bits);
    if (ADC_SetReferenceVoltage(adc, MT3620_ADC_CHANNEL1, 2.5f) < 0) {
        Log_Debug("ADC_SetReferenceVoltage: errno=%d\n", errno);
        return 2;
    }
    int r = ADC_SetReferenceVoltage(adc, MT3620_ADC_CHANNEL1, 1.8f);
    Log_Debug("ADC_SetReferenceVoltage(1.8 V): %d, errno=%d\n", r, errno);
    for (int i = 0; i < 4; i++) {
        uint32_t value;
        if (ADC_Poll(adc, MT3620_ADC_CHANNEL1, &value) < 0) {
            Log_Debug("ADC_Poll: errno=%d\n", errno);
            return 3;
        }
        float volts = (float)value * 2.5f / (float)((1 << bits) - 1);
        Log_Debug("ADC channel 1: %u (%.3f V)\n", (unsigned)value, (double)volts);
        struct timespec pause = { 0, 100000000 };
        nanosleep(&pause, NULL);
    }
    return 0;
}
