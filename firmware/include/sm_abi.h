/* The Security Monitor's SMC interface, shared by the Security Monitor (Secure World) and
   the OS kernel (Normal World). docs/boot-chain.md describes each call.

   Calling convention (docs/cortex-a7.md §2): r0 = call number, r1..r3 = arguments; the
   Secure World answers with r0 = status (SM_OK or an SM_E* code) and r1..r3 = results.
   Addresses are physical. Buffers passed by the kernel must be in Normal-World memory. */
#ifndef SM_ABI_H
#define SM_ABI_H

#define SM_OK                 0u

/* Verify an image package in flash through Pluton (signature, trust, rollback fuse) and
   extend the measurement of its stage.
   r1 = physical address of the package, r2 = its size, r3 = expected image type (10 = app)
   -> r0 status (SM_OK or SM_E_IMAGE + Pluton's refusal code), r1 = payload offset,
      r2 = payload size. */
#define SM_VERIFY_IMAGE       0x53000001u

/* Load an RT app's ELF (already verified, inside an installed package) onto an IO core and
   release the core: LOAD segments copied by address, memsz - filesz zero-filled, the core
   started from the vector table at the ELF entry.
   r1 = core (0 = io0, 1 = io1), r2 = physical address of the ELF, r3 = ELF size. */
#define SM_START_RT_CORE      0x53000002u
#define SM_STOP_RT_CORE       0x53000003u  /* r1 = core */
/* SM_START_RT_CORE's r1 may carry this flag: the core stops for a debugger before its first
   instruction (debug mode) instead of running. */
#define SM_START_DEBUG        0x100u

/* Tell the Security Monitor where a core's inter-core buffers are (facts §5.2).
   r1 = core, r2 = physical address, r3 = size. */
#define SM_SET_COMM_BUFFER    0x53000004u

/* Peripheral ownership (firewalls): r1 = owner (0 = io0, 1 = io1, 2 = A7 Normal World),
   r2 = block id (SM_BLOCK_*). */
#define SM_PERIPHERAL_ACQUIRE 0x53000005u
#define SM_PERIPHERAL_RELEASE 0x53000006u

/* r1 = physical address of a 64-byte buffer -> the device ID. */
#define SM_GET_DEVICE_ID      0x53000007u

/* r1 = physical address of a 32-byte nonce, r2 = output buffer, r3 = its size
   -> r1 = bytes written (Pluton's attestation quote over the measurements and the nonce). */
#define SM_GET_ATTESTATION    0x53000008u

#define SM_REBOOT             0x53000009u

/* Power the device down (PowerManagement_ForceSystemPowerDown): r1 = the longest time in
   seconds to stay down. Does not return: the emulator ends the run (docs/boot-chain.md). */
#define SM_POWER_DOWN         0x5300000Au

/* An IO core that locks up is held in reset by the Security Monitor, which then raises
   SGI SM_SGI_RT_EVENT in the Normal World. This call collects what it found:
   r1 = core, r2 = physical address of a struct sm_rt_event (Normal-World memory)
   -> r0 status, r1 = 1 if the core stopped since the last start or call (buffer filled),
   else 0. */
#define SM_RT_CORE_EVENT      0x53000010u
#define SM_SGI_RT_EVENT       8u
#ifndef __ASSEMBLER__
struct sm_rt_event {
    unsigned pc;        /* where the core stopped */
    unsigned fault_pc;  /* the faulting instruction (stacked return address) */
    unsigned cfsr, hfsr, fault_address;
};
#endif
/* Status codes. */
#define SM_E_UNKNOWN_CALL     0x1u
#define SM_E_BAD_ARGUMENT     0x2u
#define SM_E_DENIED           0x3u
#define SM_E_BAD_ELF          0x4u
#define SM_E_IMAGE            0x100u  /* + Pluton's image refusal code (docs/pluton.md) */

/* Added for issue 5 (docs/boot-chain.md). SM_VERIFY_IMAGE takes packages in flash only
   (anything else: SM_E_BAD_ARGUMENT), and a refused image stops the boot: the Security
   Monitor logs `[SM] REFUSED ...`, reports it to Pluton and does not return to the Normal
   World; the emulator ends the run with exit status 5. Values for its r3: */
#define SM_IMAGE_TYPE_ANY           0u
#define SM_IMAGE_TYPE_APPLICATION   10u

/* More status codes. */
#define SM_E_BUSY             0x5u   /* a core already running, a block owned by another */

/* Block ids for SM_PERIPHERAL_ACQUIRE/RELEASE: the shared 0x38xxxxxx blocks. */
#define SM_BLOCK_ADC          0u
#define SM_BLOCK_GPIO0        1u    /* GPIO blocks 0..5: SM_BLOCK_GPIO0 + n */
#define SM_BLOCK_ISU0         7u    /* ISU0..ISU5: SM_BLOCK_ISU0 + n */
#define SM_BLOCK_I2S0         13u
#define SM_BLOCK_I2S1         14u
#define SM_BLOCK_COUNT        15u
#define SM_OWNER_IO0          0u
#define SM_OWNER_IO1          1u
#define SM_OWNER_A7           2u

#endif
