/* Sleeping until an interrupt handler has counted to a target, and GPT3 as the free-running
   1 MHz clock RT apps measure and sleep with. Nothing here claims a vector: an app that
   sleeps on GPT3 counts its compare matches in its own IRQ2_Handler. */
#ifndef SLEEP_H
#define SLEEP_H
#include <stdint.h>

/* Sleep in WFI until *counter >= target (an interrupt handler increments it). */
void wait_for(volatile uint32_t *counter, uint32_t target);

/* GPT3 counting microseconds from 0, its compare-match interrupt enabled at priority 2. */
void gpt3_start_us(void);

/* Sleep for us microseconds of GPT3: a compare match, counted by the app's IRQ2_Handler
   in *matches. */
void gpt3_sleep_us(volatile uint32_t *matches, uint32_t us);

#endif
