/*
 * A GPIO block's output latch served in C while nobody can see its pads (engine/native/latch.py).
 *
 * Every store to a GPIO register is a Unicorn MMIO callback; into Python it costs
 * microseconds, where a RAM store costs ~0.1 us. These callbacks are installed with
 * uc_mmio_map for the pages of a GPIO block: while the block's Python side has handed the
 * latch over ("owned": no pad of the block is observed, see peripherals/gpio.py) and the
 * view's access rules let the core in ("allowed"), a whole-word access to DOUT, DOUT_SET or
 * DOUT_RESET is served here, in the latch below. Every other access, and every access
 * while the latch is not handed over, goes to the Python callback of the bus, unchanged.
 * Python takes the latch back (and applies it to the pads) before anything reads a pad.
 * Loaded with ctypes: no Python headers, no link against libunicorn.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint64_t (*mmio_read_fn)(void *uc, uint64_t offset, unsigned size, void *user_data);
typedef void (*mmio_write_fn)(void *uc, uint64_t offset, unsigned size, uint64_t value,
                              void *user_data);

#define GPIO_LATCH_ABI 2 /* bumped with any change of the structures below */
#define NOT_SERVED ((uint64_t)1 << 63) /* a dout_at no offset of a run is near */
/* A latch register's distance from DOUT: DOUT_SET and DOUT_RESET follow it. */
#define AT_DOUT 0
#define AT_DOUT_SET 4
#define AT_DOUT_RESET 8

/* Both structures are mirrored by ctypes Structures (engine/native/latch.py). */
struct gpio_latch {
    uint32_t dout;     /* the latch, while owned */
    uint32_t writable; /* DOUT's bits (one per pad) */
    uint32_t owned;    /* 1: the latch registers are served here */
    uint32_t writer;   /* index of the port that stored last */
    uint64_t stores;   /* stores served here since the block was built */
};

struct gpio_port { /* one core's view of the block: one uc_mmio_map run */
    struct gpio_latch *latch;
    /* The run offset of DOUT while this view serves the latch here (the latch is owned and
     * the view's access rules let its core read and write), else NOT_SERVED: one field
     * that says both, so a store tests only this. Python sets it (latch.py), only where
     * DOUT_RESET's word lies in the run's part that is the block. */
    uint64_t dout_at;
    uint32_t index;
    uint32_t reserved;
    mmio_read_fn python_read; /* the bus's callbacks, for everything else */
    mmio_write_fn python_write;
};

int gpio_latch_abi(void)
{
    return GPIO_LATCH_ABI;
}

/* Whether C serves a ``size``-byte access ``at`` bytes past this view's DOUT: a whole word
 * at DOUT, DOUT_SET or DOUT_RESET. Runs on every store to the page, so it is only this. */
static int served(uint64_t at, unsigned size)
{
    return size == 4 && at <= AT_DOUT_RESET && !(at & 3);
}

uint64_t gpio_latch_read(void *uc, uint64_t offset, unsigned size, void *user_data)
{
    struct gpio_port *p = user_data;
    uint64_t at = offset - p->dout_at;
    if (!served(at, size))
        return p->python_read(uc, offset, size, NULL);
    return at == AT_DOUT ? p->latch->dout : 0; /* the aliases read 0 */
}

void gpio_latch_write(void *uc, uint64_t offset, unsigned size, uint64_t value,
                      void *user_data)
{
    struct gpio_port *p = user_data;
    struct gpio_latch *l = p->latch;
    uint64_t at = offset - p->dout_at;
    uint32_t v = (uint32_t)value;
    if (!served(at, size)) {
        p->python_write(uc, offset, size, value, NULL);
        return;
    }
    if (at == AT_DOUT)
        l->dout = v & l->writable;
    else if (at == AT_DOUT_SET)
        l->dout = (l->dout | v) & l->writable;
    else
        l->dout &= ~v;
    l->writer = p->index;
    l->stores++;
}

/* A store served by nothing but a word: what Unicorn's MMIO path costs with no model behind
 * it. benchmarks/bench_gpio.py measures that floor next to the latch above and the machine. */
uint64_t gpio_latch_bare_read(void *uc, uint64_t offset, unsigned size, void *user_data)
{
    (void)uc, (void)offset, (void)size;
    return *(uint32_t *)user_data;
}

void gpio_latch_bare_write(void *uc, uint64_t offset, unsigned size, uint64_t value,
                           void *user_data)
{
    (void)uc, (void)offset, (void)size;
    *(uint32_t *)user_data = (uint32_t)value;
}
