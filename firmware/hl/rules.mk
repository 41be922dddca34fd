# Included at the end of firmware/Makefile: the high-level app kit (applibs), the sample
# apps and their signed packages, and the OS kernel (docs/kernel-and-apps.md).
#
# hl/apps/NAME/ (CMakeLists.txt, *.c, app_manifest.json)
#                              -> prebuilt/NAME.elf, prebuilt/NAME.imagepackage: static glibc
#                                 executables for A7 User mode, built by CMake through the SDK
#                                 kit's AzureSphereToolchain.cmake (Debian's
#                                 gcc-arm-linux-gnueabihf) against the kit's sysroot below,
#                                 packed by the kit (development key, build time 0)
# apps/NAME/app_manifest.json  -> prebuilt/NAME.imagepackage (RT apps)
# a7/kernel/*.c *.S lib/*.c    -> prebuilt/kernel.elf, prebuilt/kernel.imagepackage
# a7/kernel/standin/*.c *.S    -> prebuilt/kernel-standin-sm.elf (kernel tests only)
# hl/applibs/*.c, hl/include/applibs/*.h
#                              -> the SDK kit's sysroot (sphere_emu/sdk/Sysroots/emu):
#                                 usr/lib/libapplibs.a, usr/include/applibs/*.h, and
#                                 usr/lib/libgcc_s.a (a linker script: libgcc + unwinder, for
#                                 the samples' `gcc_s` in a static link). Committed like
#                                 prebuilt/, so the kit needs no firmware tree; `make check`
#                                 rebuilds it into $(BUILD)/check/sysroot and compares.

HL_CROSS  ?= arm-linux-gnueabihf-
HL_CC     := $(HL_CROSS)gcc
HL_CFLAGS := -mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard -mthumb \
             -Os -g -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
             -ffile-prefix-map=$(CURDIR)=. -Wa,--debug-prefix-map=$(CURDIR)=. -Ihl/include
HL_APPS   := $(notdir $(wildcard hl/apps/*))
APPLIBS   := $(wildcard hl/applibs/*.c)
HL_ELFS   := $(HL_APPS:%=$(OUT)/%.elf)

# The kit's sysroot: committed beside the kit when building prebuilt/, a scratch copy otherwise.
KIT_SYSROOT ?= $(if $(filter prebuilt,$(OUT)),../sphere_emu/sdk/Sysroots/emu,$(OUT)/sysroot)
APPLIBS_OBJS := $(APPLIBS:hl/applibs/%.c=$(BUILD)/applibs/$(subst /,_,$(OUT))/%.o)
SYSROOT_FILES := $(KIT_SYSROOT)/usr/lib/libapplibs.a $(KIT_SYSROOT)/usr/lib/libgcc_s.a \
                 $(patsubst hl/include/%,$(KIT_SYSROOT)/usr/include/%,$(wildcard hl/include/applibs/*.h))

KERNEL_SRCS  := $(wildcard a7/kernel/*.c a7/kernel/*.S a7/kernel/lib/*.c)
STANDIN_SRCS := $(wildcard a7/kernel/standin/*.c a7/kernel/standin/*.S)
KERNEL_LDFLAGS := -nostartfiles -nostdlib -Wl,--gc-sections -Wl,--build-id=none -Wl,-n -lgcc
KERNEL_ELFS  := $(OUT)/kernel.elf $(OUT)/kernel-standin-sm.elf

PYTHON    ?= python3
PACK      := $(PYTHON) -m sphere_emu image pack-application --key development
RT_PKG_APPS := $(notdir $(patsubst %/,%,$(dir $(wildcard apps/*/app_manifest.json))))
HL_PKGS   := $(HL_APPS:%=$(OUT)/%.imagepackage)
RT_PKGS   := $(RT_PKG_APPS:%=$(OUT)/%.imagepackage)
APP_PKGS  := $(HL_PKGS) $(RT_PKGS) $(OUT)/kernel.imagepackage

# `check` compares every file of ELFS with its rebuilt twin.
ELFS      += $(HL_ELFS) $(KERNEL_ELFS) $(APP_PKGS)

all: $(HL_ELFS) $(KERNEL_ELFS) $(APP_PKGS) $(SYSROOT_FILES)

$(APPLIBS_OBJS): $(BUILD)/applibs/$(subst /,_,$(OUT))/%.o: hl/applibs/%.c $(wildcard hl/include/*/*.h) FORCE
	@mkdir -p $(dir $@)
	$(HL_CC) $(HL_CFLAGS) -c -o $@ $<

# D: no timestamps, owners or modes in the archive, so it is the same bytes every build.
$(KIT_SYSROOT)/usr/lib/libapplibs.a: $(APPLIBS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(HL_CROSS)ar rcsD $@ $(sort $^)

$(KIT_SYSROOT)/usr/lib/libgcc_s.a:
	@mkdir -p $(dir $@)
	printf '/* sphere-emu SDK kit: apps are linked statically, and what libgcc_s gives a\n   dynamic link is libgcc and its unwinder. */\nGROUP ( -lgcc -lgcc_eh )\n' > $@

$(KIT_SYSROOT)/usr/include/applibs/%.h: hl/include/applibs/%.h
	@mkdir -p $(dir $@)
	cp $< $@

# One CMake build of hl/ (every app) per OUT; its outputs are copied into OUT. Paths of the
# source and of the build directory are mapped to ".", the sysroot's to "sysroot", so
# prebuilt/ and `make check` (which builds against a scratch sysroot) match.
HL_CMAKE_BUILD := $(BUILD)/cmake/$(subst /,_,$(OUT))
HL_CMAKE_CFLAGS := -Os -g -std=gnu11 -Wall -Wextra -Werror -ffile-prefix-map=$(CURDIR)=. \
                   -ffile-prefix-map=$(abspath $(HL_CMAKE_BUILD))=. \
                   -ffile-prefix-map=$(abspath $(KIT_SYSROOT))=sysroot

hl-cmake: $(SYSROOT_FILES) FORCE
	cmake -G Ninja -S hl -B $(HL_CMAKE_BUILD) \
	    -DCMAKE_TOOLCHAIN_FILE=$(abspath ../sphere_emu/sdk/CMakeFiles/AzureSphereToolchain.cmake) \
	    -DAZURE_SPHERE_TARGET_API_SET=latest-lts -DAZURE_SPHERE_SYSROOT=$(abspath $(KIT_SYSROOT)) \
	    "-DSPHERE_EMU=$(PYTHON);-m;sphere_emu" "-DCMAKE_C_FLAGS=$(HL_CMAKE_CFLAGS)" >/dev/null
	ninja -C $(HL_CMAKE_BUILD) --quiet

$(HL_ELFS): $(OUT)/%.elf: hl-cmake
	@mkdir -p $(OUT)
	cp $(HL_CMAKE_BUILD)/apps/$*/$*.out $@

# The manifest rules the kernel shares with the packer, generated from the packer's module.
MANIFEST_RULES_H := $(BUILD)/gen/manifest_rules.h
$(MANIFEST_RULES_H): FORCE
	$(PYTHON) -m sphere_emu.image.manifest_rules $@

$(OUT)/kernel.elf: $(KERNEL_SRCS) a7/kernel/kernel.ld $(MANIFEST_RULES_H) FORCE
	@mkdir -p $(OUT)
	$(CC) $(A7_CFLAGS) -Ia7/kernel/include -I$(BUILD)/gen -o $@ $(KERNEL_SRCS) -Ta7/kernel/kernel.ld $(KERNEL_LDFLAGS)

$(OUT)/kernel-standin-sm.elf: $(STANDIN_SRCS) a7/kernel/standin/linker.ld FORCE
	@mkdir -p $(OUT)
	$(CC) $(A7_CFLAGS) -o $@ $(STANDIN_SRCS) -Ta7/kernel/standin/linker.ld $(KERNEL_LDFLAGS)

# The kernel as the Security Monitor loads it: os_image_header + flat image (flash_layout.h),
# made by the boot chain's a7/sm/os_payload.py.
$(OUT)/kernel.imagepackage: $(OUT)/kernel.elf
	@mkdir -p $(BLOBS)
	$(PYTHON) a7/sm/os_payload.py $< $(BLOBS)/kernel.bin
	$(PYTHON) -m sphere_emu image pack-os-component $(BLOBS)/kernel.bin \
	    --type kernel --name kernel --key development --build-time 0 \
	    --security-version 1 -o $@ >/dev/null

$(HL_PKGS): $(OUT)/%.imagepackage: hl-cmake
	@mkdir -p $(OUT)
	cp $(HL_CMAKE_BUILD)/apps/$*/$*.imagepackage $@

$(RT_PKGS): $(OUT)/%.imagepackage: $(OUT)/%.elf apps/%/app_manifest.json
	$(PACK) --manifest apps/$*/app_manifest.json --executable $< -o $@ >/dev/null
