#include "sleep.h"
#include "armv7m.h"
#include "mt3620.h"

/* Interrupts are masked around the test so that one arriving between the test and the WFI
   still wakes it (WFI wakes on a pending interrupt, masked or not). */
void wait_for(volatile uint32_t *counter, uint32_t target)
{
    for (;;) {
        irq_disable();
        if (*counter >= target) { irq_enable(); return; }
        wfi();
        irq_enable();
    }
}

void gpt3_start_us(void)
{
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT_CTRL_EN;     /* 26 MHz / 26 = 1 MHz */
    GPT3_EXPIRE = 0xFFFFFFFFu;
    nvic_set_priority(IRQ_GPT3, 2);
    nvic_enable(IRQ_GPT3);
}

void gpt3_sleep_us(volatile uint32_t *matches, uint32_t us)
{
    uint32_t target = *matches + 1;
    GPT3_EXPIRE = GPT3_CNT + us;
    wait_for(matches, target);
}
