# sphere-emu SDK kit: as AzureSphereRTCoreToolchain.cmake, with the Cortex-M4F's FPU used
# for floating point (hard-float ABI), like the SDK's VFP variant.
include("${CMAKE_CURRENT_LIST_DIR}/AzureSphereRTCoreToolchain.cmake")
set(_azsphere_cpu "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_CXX_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_ASM_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${_azsphere_cpu} -nostartfiles -Wl,--no-undefined -Wl,-n -T \"${CMAKE_SOURCE_DIR}/linker.ld\"")
