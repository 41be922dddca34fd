/* intercore-rt, opening its channel 20 ms after start: by then the kernel has queued its
   three buffer set-up messages, which opening the channel must not lose (peripherals §10.4). */
#define APP "intercore-late-rt"
#define OPEN_LATE_MS 20
#include "../intercore-rt/main.c"
