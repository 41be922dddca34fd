# sphere-emu SDK kit: CMake toolchain for real-time capable apps on the MT3620's Cortex-M4F
# IO cores, named and used like the Azure Sphere SDK's (docs/sdk.md):
#
#   cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE=<kit>/CMakeFiles/AzureSphereRTCoreToolchain.cmake \
#         -DARM_GNU_PATH=<GNU Arm toolchain directory> <sample>
#
# ARM_GNU_PATH (or the environment variable of that name) names the GNU Arm Embedded
# toolchain; it holds bin/arm-none-eabi-gcc (or is that bin directory). Without it the
# compiler is looked up on PATH. Like the SDK's, this links with the project's own
# linker.ld, without start files; the ELF entry is the app's vector table.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT ARM_GNU_PATH AND DEFINED ENV{ARM_GNU_PATH})
    set(ARM_GNU_PATH "$ENV{ARM_GNU_PATH}")
endif()
set(ARM_GNU_PATH "${ARM_GNU_PATH}" CACHE PATH "GNU Arm Embedded toolchain directory")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ARM_GNU_PATH SPHERE_EMU)
# try_compile projects have no linker.ld: build a library, never link.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

if(ARM_GNU_PATH)
    set(_azsphere_hints HINTS "${ARM_GNU_PATH}/bin" "${ARM_GNU_PATH}" NO_DEFAULT_PATH)
endif()
find_program(AZURE_SPHERE_RT_GCC arm-none-eabi-gcc ${_azsphere_hints})
if(NOT AZURE_SPHERE_RT_GCC)
    message(FATAL_ERROR "arm-none-eabi-gcc not found (ARM_GNU_PATH=\"${ARM_GNU_PATH}\"): "
                        "install the GNU Arm Embedded toolchain and pass -DARM_GNU_PATH=")
endif()
get_filename_component(_azsphere_bin "${AZURE_SPHERE_RT_GCC}" DIRECTORY)
set(CMAKE_C_COMPILER "${_azsphere_bin}/arm-none-eabi-gcc")
set(CMAKE_CXX_COMPILER "${_azsphere_bin}/arm-none-eabi-g++")
set(CMAKE_ASM_COMPILER "${_azsphere_bin}/arm-none-eabi-gcc")
set(CMAKE_OBJCOPY "${_azsphere_bin}/arm-none-eabi-objcopy" CACHE FILEPATH "")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

set(_azsphere_cpu "-mcpu=cortex-m4 -mthumb")
set(CMAKE_C_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_CXX_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_ASM_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${_azsphere_cpu} -nostartfiles -Wl,--no-undefined -Wl,-n -T \"${CMAKE_SOURCE_DIR}/linker.ld\"")

include("${CMAKE_CURRENT_LIST_DIR}/AzureSphereKit.cmake")
