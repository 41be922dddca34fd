/*
 * Block-level retired-instruction counter for Unicorn (Thumb, the Cortex-M4 IO cores).
 *
 * Unicorn's own counting (emu_start's count) calls a hook before every instruction. This
 * hook runs once per translated block instead: it counts the block's instructions (decoded
 * once from their Thumb lengths and cached by address and size) and stops the run before
 * the first block that starts once the budget is spent, so a block crossing the budget
 * runs whole (the ``--fast`` mode; see engine/native/__init__.py for what that changes).
 * Loaded with ctypes: no Python headers, no link against libunicorn (the few Unicorn calls
 * it needs are handed over as function pointers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*emu_stop_fn)(void *uc);
typedef int (*mem_read_fn)(void *uc, uint64_t address, void *bytes, uint64_t size);
typedef int (*reg_read_fn)(void *uc, int regid, void *value);

#define SLOTS 4096u /* power of two; direct-mapped by address */
#define MAX_BLOCK 4096u /* bytes; Unicorn's blocks stay within a page */
#define REG_PC 11 /* UC_ARM_REG_PC */

/* A translated block's instruction count, at slot (address / 2) % SLOTS: a block hook runs
 * every few instructions, so the lookup is one load and a compare (8-byte slots, 32 KB,
 * neighbouring blocks in neighbouring cache lines); a block 8 KB away replaces it. */
struct slot {
    uint32_t address;
    uint16_t size; /* bytes, 0 = empty */
    uint16_t count;
};

/* The header is mirrored by a ctypes Structure (engine/native/__init__.py). */
struct counter {
    uint64_t budget;     /* instructions the current run may retire */
    uint64_t done;       /* instructions in the blocks entered so far */
    uint64_t last_start; /* the block entered last */
    uint32_t last_size;
    uint32_t last_count;
    uint32_t refused;    /* 1: the run stopped before a block because the budget was spent */
    uint32_t misses;     /* blocks decoded (not found in the table) */
    void *uc;
    emu_stop_fn emu_stop;
    mem_read_fn mem_read;
    reg_read_fn reg_read;
    struct slot *slots;
};

static int is_wide(uint16_t first)
{
    uint16_t top = first >> 11;
    return top == 0x1d || top == 0x1e || top == 0x1f;
}

/* Instructions in [start, start + size), or 0 if the code cannot be read. */
static uint32_t decode_count(struct counter *c, uint64_t start, uint32_t size)
{
    uint8_t code[MAX_BLOCK + 4];
    uint32_t at = 0, count = 0;
    if (size > MAX_BLOCK || c->mem_read(c->uc, start, code, size) != 0)
        return 0;
    while (at < size) {
        uint16_t first = (uint16_t)(code[at] | code[at + 1] << 8);
        at += is_wide(first) ? 4 : 2;
        count++;
    }
    return count;
}

static __attribute__((noinline)) uint32_t decode_into(struct counter *c, struct slot *slot,
                                                      uint64_t start, uint32_t size)
{
    uint32_t count = decode_count(c, start, size);
    slot->address = (uint32_t)start;
    slot->size = (uint16_t)size;
    slot->count = (uint16_t)count;
    c->misses++;
    return count;
}

static inline uint32_t block_count(struct counter *c, uint64_t start, uint32_t size)
{
    struct slot *slot = &c->slots[(start >> 1) & (SLOTS - 1)];
    if (slot->address == (uint32_t)start && slot->size == size)
        return slot->count;
    return decode_into(c, slot, start, size);
}

struct counter *counter_new(void *uc, emu_stop_fn emu_stop, mem_read_fn mem_read,
                            reg_read_fn reg_read)
{
    struct counter *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->slots = calloc(SLOTS, sizeof(struct slot));
    if (c->slots == NULL) {
        free(c);
        return NULL;
    }
    c->uc = uc;
    c->emu_stop = emu_stop;
    c->mem_read = mem_read;
    c->reg_read = reg_read;
    return c;
}

void counter_free(struct counter *c)
{
    if (c != NULL) {
        free(c->slots);
        free(c);
    }
}

/* Code changed under cached blocks (a program loaded, a reset). */
void counter_clear(struct counter *c)
{
    memset(c->slots, 0, SLOTS * sizeof(struct slot));
    c->last_size = 0;
    c->last_count = 0;
}

/* UC_HOOK_BLOCK callback; user_data is the counter. */
void counter_block_hook(void *uc, uint64_t address, uint32_t size, void *user_data)
{
    struct counter *c = user_data;
    uint32_t count;
    (void)uc;
    if (c->done >= c->budget) {
        c->refused = 1;
        c->emu_stop(c->uc);
        return;
    }
    if (address == c->last_start && size == c->last_size)
        count = c->last_count; /* a loop of one block: no table load at all */
    else
        count = size && size <= 0xFFFF ? block_count(c, address, size) : 0;
    c->done += count;
    c->last_start = address;
    c->last_size = size;
    c->last_count = count;
}

/* Instructions of the last block before pc, or -1 if pc is not inside it. */
int64_t counter_index(struct counter *c, uint64_t pc)
{
    uint8_t code[MAX_BLOCK + 4];
    uint64_t length;
    uint32_t at = 0, count = 0;
    if (pc < c->last_start || pc >= c->last_start + c->last_size)
        return -1;
    length = pc - c->last_start;
    if (length > MAX_BLOCK || c->mem_read(c->uc, c->last_start, code, length) != 0)
        return -1;
    while (at < length) {
        uint16_t first = (uint16_t)(code[at] | code[at + 1] << 8);
        at += is_wide(first) ? 4 : 2;
        count++;
    }
    return count;
}

/* Instructions begun in the current run, at the instruction pc is on (it counts as begun);
 * a pc outside the last block means every block entered has been run. */
uint64_t counter_started_at(struct counter *c, uint64_t pc)
{
    int64_t index = counter_index(c, pc);
    if (index < 0)
        return c->done;
    return c->done - c->last_count + (uint64_t)index + 1;
}

/* The same, at the instruction executing now (read inside a hook). */
uint64_t counter_started(struct counter *c)
{
    uint64_t pc = 0;
    c->reg_read(c->uc, REG_PC, &pc);
    return counter_started_at(c, pc & ~1ull);
}

/* An exception hook fired at pc and the run goes on elsewhere: the rest of the block after
 * the instruction at pc never runs. */
void counter_truncate(struct counter *c, uint64_t pc)
{
    c->done = counter_started_at(c, pc);
    c->last_size = 0;
    c->last_count = 0;
}

/* Start a run that may retire ``budget`` instructions. */
void counter_begin(struct counter *c, uint64_t budget)
{
    c->budget = budget;
    c->done = 0;
    c->last_start = 0;
    c->last_size = 0;
    c->last_count = 0;
    c->refused = 0;
}
