# sphere-emu SDK kit: CMake toolchain for high-level apps (Linux processes on the MT3620's
# Cortex-A7), named and used like the Azure Sphere SDK's (docs/sdk.md):
#
#   cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE=<kit>/CMakeFiles/AzureSphereToolchain.cmake \
#         -DAZURE_SPHERE_TARGET_API_SET=latest-lts <sample>
#
# The compiler is Debian's arm-linux-gnueabihf-gcc (package gcc-arm-linux-gnueabihf) with its
# glibc, linked statically: the emulated OS has no file system for a dynamic loader. The
# applibs headers and library come from the kit's sysroot (Sysroots/emu, or
# -DAZURE_SPHERE_SYSROOT=). Samples link `applibs pthread gcc_s c`: the sysroot's libgcc_s.a
# stands for libgcc and its unwinder, which is what a static link needs of it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

get_filename_component(_azsphere_kit "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(AZURE_SPHERE_SYSROOT "${_azsphere_kit}/Sysroots/emu" CACHE PATH
    "The kit's sysroot: usr/include/applibs and usr/lib/libapplibs.a")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES AZURE_SPHERE_SYSROOT SPHERE_EMU)

# The API set: -DAZURE_SPHERE_TARGET_API_SET (what the SDK's presets pass) or, in older
# samples, azsphere_configure_api() after project(). The kit has one applibs for all of them.
if(DEFINED AZURE_SPHERE_TARGET_API_SET AND NOT AZURE_SPHERE_TARGET_API_SET MATCHES
        "^([0-9]+(\\+Beta[0-9]+)?|latest-lts|latest-beta)$")
    message(FATAL_ERROR "AZURE_SPHERE_TARGET_API_SET \"${AZURE_SPHERE_TARGET_API_SET}\": "
                        "expected a number, NN+BetaNNNN, latest-lts or latest-beta")
endif()

find_program(AZURE_SPHERE_HL_GCC arm-linux-gnueabihf-gcc)
if(NOT AZURE_SPHERE_HL_GCC)
    message(FATAL_ERROR "arm-linux-gnueabihf-gcc not found on PATH: install Debian's "
                        "gcc-arm-linux-gnueabihf (it brings the armhf glibc)")
endif()
if(NOT EXISTS "${AZURE_SPHERE_SYSROOT}/usr/lib/libapplibs.a")
    message(FATAL_ERROR "AZURE_SPHERE_SYSROOT=\"${AZURE_SPHERE_SYSROOT}\" has no "
                        "usr/lib/libapplibs.a")
endif()
get_filename_component(_azsphere_bin "${AZURE_SPHERE_HL_GCC}" DIRECTORY)
set(CMAKE_C_COMPILER "${_azsphere_bin}/arm-linux-gnueabihf-gcc")
set(CMAKE_CXX_COMPILER "${_azsphere_bin}/arm-linux-gnueabihf-g++")
set(CMAKE_ASM_COMPILER "${_azsphere_bin}/arm-linux-gnueabihf-gcc")

set(CMAKE_FIND_ROOT_PATH "${AZURE_SPHERE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

set(_azsphere_cpu "-mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard -mthumb")
set(CMAKE_C_FLAGS_INIT "${_azsphere_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_azsphere_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_azsphere_cpu}")
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${AZURE_SPHERE_SYSROOT}/usr/include")
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${AZURE_SPHERE_SYSROOT}/usr/include")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${_azsphere_cpu} -static -Wl,--gc-sections -Wl,--build-id=none -L\"${AZURE_SPHERE_SYSROOT}/usr/lib\"")

include("${CMAKE_CURRENT_LIST_DIR}/AzureSphereKit.cmake")
