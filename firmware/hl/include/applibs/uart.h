/* UART as in Azure Sphere's applibs/uart.h: the ISU UARTs, which the manifest must list in
   Capabilities.Uart ("ISU0".."ISU4"). write()/read()/close() on the returned descriptor. */
#ifndef APPLIBS_UART_H
#define APPLIBS_UART_H
#include <stdint.h>
typedef int UART_Id;
#define MT3620_ISU0_UART 0
#define MT3620_ISU1_UART 1
#define MT3620_ISU2_UART 2
#define MT3620_ISU3_UART 3
#define MT3620_ISU4_UART 4
typedef uint8_t UART_BlockingMode_Type;
#define UART_BlockingMode_NonBlocking 0
typedef uint8_t UART_DataBits_Type;
#define UART_DataBits_Eight 8
typedef uint8_t UART_Parity_Type;
#define UART_Parity_None 0
typedef uint8_t UART_StopBits_Type;
#define UART_StopBits_One 1
typedef uint8_t UART_FlowControl_Type;
#define UART_FlowControl_None 0
typedef struct UART_Config {
    uint32_t z__magicAndVersion;
    uint32_t baudRate;
    UART_BlockingMode_Type blockingMode;
    UART_DataBits_Type dataBits;
    UART_Parity_Type parity;
    UART_StopBits_Type stopBits;
    UART_FlowControl_Type flowControl;
} UART_Config;
void UART_InitConfig(UART_Config *config);
int UART_Open(UART_Id uartId, const UART_Config *config);
#endif
