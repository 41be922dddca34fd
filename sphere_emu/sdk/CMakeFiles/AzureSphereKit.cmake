# sphere-emu SDK kit: the azsphere_* CMake functions of the Azure Sphere SDK, shared by the
# toolchain files beside this one (docs/sdk.md). Packing runs `sphere-emu image
# pack-application`, signed with the development key.
include_guard(GLOBAL)

set(AZURE_SPHERE_SDK_PATH "${CMAKE_CURRENT_LIST_DIR}/.." CACHE INTERNAL "the sphere-emu SDK kit")

# How to run sphere-emu: -DSPHERE_EMU="..." (a ;-list), else the `sphere-emu` program on
# PATH, else `python3 -m sphere_emu`.
if(NOT SPHERE_EMU)
    find_program(_AZSPHERE_EMU_PROGRAM sphere-emu)
    if(_AZSPHERE_EMU_PROGRAM)
        set(SPHERE_EMU "${_AZSPHERE_EMU_PROGRAM}")
    else()
        find_program(_AZSPHERE_PYTHON NAMES python3 python REQUIRED)
        set(SPHERE_EMU "${_AZSPHERE_PYTHON};-m;sphere_emu")
    endif()
endif()

# azsphere_configure_tools(TOOLS_REVISION "20.10"): which SDK tools a project targets. The
# kit has one set of tools; the revision is checked for form and recorded.
function(azsphere_configure_tools)
    cmake_parse_arguments(PARSE_ARGV 0 ARG "" "TOOLS_REVISION" "")
    if(NOT ARG_TOOLS_REVISION MATCHES "^[0-9]+\\.[0-9]+$")
        message(FATAL_ERROR "azsphere_configure_tools: TOOLS_REVISION \"${ARG_TOOLS_REVISION}\" is not like \"20.10\"")
    endif()
    set(AZURE_SPHERE_TOOLS_REVISION "${ARG_TOOLS_REVISION}" PARENT_SCOPE)
endfunction()

# azsphere_configure_api(TARGET_API_SET "16"): the application runtime version a high-level
# app targets (older samples; newer ones pass -DAZURE_SPHERE_TARGET_API_SET). The kit has one
# applibs for every API set; the value is checked for form and recorded. Real-time capable
# apps use no API set.
function(azsphere_configure_api)
    cmake_parse_arguments(PARSE_ARGV 0 ARG "" "TARGET_API_SET" "")
    if(NOT ARG_TARGET_API_SET)
        message(FATAL_ERROR "azsphere_configure_api: TARGET_API_SET is required")
    endif()
    if(NOT ARG_TARGET_API_SET MATCHES "^([0-9]+(\\+Beta[0-9]+)?|latest-lts|latest-beta)$")
        message(FATAL_ERROR "azsphere_configure_api: TARGET_API_SET \"${ARG_TARGET_API_SET}\" "
                            "is not a number, NN+BetaNNNN, latest-lts or latest-beta")
    endif()
    set(AZURE_SPHERE_TARGET_API_SET "${ARG_TARGET_API_SET}" PARENT_SCOPE)
endfunction()

# azsphere_target_hardware_definition(TARGET TARGET_DIRECTORY dir... TARGET_DEFINITION f):
# the hardware definition a high-level app is built for. Each directory (relative to the
# calling CMakeLists.txt) adds its inc/ to the include path, so <hw/NAME.h> is found, and
# inc/hw/, so a generated header's #include "IMPORT.h" is; so does the kit's own
# HardwareDefinitions directory (mt3620.json, mt3620_rdb.json, ...).
# TARGET_DEFINITION (a JSON file in one of the directories) is checked now, imports and all,
# and resolves the "$NAME" peripherals of app_manifest.json when the package is packed.
function(azsphere_target_hardware_definition target)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TARGET_DEFINITION" "TARGET_DIRECTORY")
    if(NOT TARGET ${target})
        message(FATAL_ERROR "azsphere_target_hardware_definition: no target ${target}")
    endif()
    if(NOT ARG_TARGET_DEFINITION)
        message(FATAL_ERROR "azsphere_target_hardware_definition: TARGET_DEFINITION is required")
    endif()
    set(dirs)
    set(found)
    foreach(dir IN LISTS ARG_TARGET_DIRECTORY)
        get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        if(NOT IS_DIRECTORY "${dir}")
            message(FATAL_ERROR "azsphere_target_hardware_definition: TARGET_DIRECTORY "
                                "\"${dir}\" is not a directory")
        endif()
        list(APPEND dirs "${dir}")
        if(NOT found AND EXISTS "${dir}/${ARG_TARGET_DEFINITION}")
            set(found "${dir}/${ARG_TARGET_DEFINITION}")
        endif()
    endforeach()
    set(kit_definitions "${AZURE_SPHERE_SDK_PATH}/HardwareDefinitions")
    list(APPEND dirs "${kit_definitions}")
    if(NOT found AND EXISTS "${kit_definitions}/${ARG_TARGET_DEFINITION}")
        set(found "${kit_definitions}/${ARG_TARGET_DEFINITION}")
    endif()
    if(NOT found)
        message(FATAL_ERROR "azsphere_target_hardware_definition: ${ARG_TARGET_DEFINITION} is "
                            "in none of: ${dirs}")
    endif()
    set(search)
    foreach(dir IN LISTS dirs)
        list(APPEND search --hardware-definitions "${dir}")
        target_include_directories(${target} PRIVATE "${dir}/inc" "${dir}/inc/hw")
    endforeach()
    execute_process(
        COMMAND ${SPHERE_EMU} hwdef generate-header "${found}" ${search}
                -o "${CMAKE_CURRENT_BINARY_DIR}/${target}-hwdef-check.h"
        RESULT_VARIABLE failed OUTPUT_QUIET ERROR_VARIABLE why)
    if(failed)
        string(STRIP "${why}" why)
        message(FATAL_ERROR "azsphere_target_hardware_definition: ${why}")
    endif()
    set_target_properties(${target} PROPERTIES
        AZSPHERE_HARDWARE_DEFINITION_DIRS "${dirs}"
        AZSPHERE_TARGET_DEFINITION "${ARG_TARGET_DEFINITION}")
endfunction()

# azsphere_target_add_image_package(TARGET [RESOURCE_FILES f...] [DEBUG_LIB name]
#     [TARGET_DIRECTORY dir] [TARGET_DEFINITION file]): after TARGET is linked (as
# TARGET.out), pack it with ${CMAKE_CURRENT_SOURCE_DIR}/app_manifest.json into
# ${CMAKE_CURRENT_BINARY_DIR}/TARGET.imagepackage, placed at the manifest's EntryPoint; resource
# files go into the package under their paths relative to the source directory. After
# azsphere_target_hardware_definition, its definition resolves the manifest's "$NAME"s.
function(azsphere_target_add_image_package target)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "DEBUG_LIB;TARGET_DIRECTORY;TARGET_DEFINITION"
                          "RESOURCE_FILES")
    if(NOT TARGET ${target})
        message(FATAL_ERROR "azsphere_target_add_image_package: no target ${target}")
    endif()
    set(manifest "${CMAKE_CURRENT_SOURCE_DIR}/app_manifest.json")
    if(NOT EXISTS "${manifest}")
        message(FATAL_ERROR "azsphere_target_add_image_package: ${manifest} is missing")
    endif()
    set_target_properties(${target} PROPERTIES SUFFIX ".out")
    set(package "${CMAKE_CURRENT_BINARY_DIR}/${target}.imagepackage")
    set(files)
    set(depends "${manifest}")
    foreach(resource IN LISTS ARG_RESOURCE_FILES)
        get_filename_component(source "${resource}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        file(RELATIVE_PATH dest "${CMAKE_CURRENT_SOURCE_DIR}" "${source}")
        list(APPEND files --file "${source}:${dest}")
        list(APPEND depends "${source}")
    endforeach()
    get_target_property(definition ${target} AZSPHERE_TARGET_DEFINITION)
    if(definition)
        get_target_property(definition_dirs ${target} AZSPHERE_HARDWARE_DEFINITION_DIRS)
        foreach(dir IN LISTS definition_dirs)
            list(APPEND files --hardware-definitions "${dir}")
            file(GLOB jsons "${dir}/*.json")
            list(APPEND depends ${jsons})
        endforeach()
        list(APPEND files --target-definition "${definition}")
    endif()
    add_custom_command(
        OUTPUT "${package}"
        COMMAND ${SPHERE_EMU} image pack-application --manifest "${manifest}"
                --executable "$<TARGET_FILE:${target}>" ${files} --key development
                -o "${package}"
        DEPENDS ${target} ${depends}
        COMMENT "Packing ${target}.imagepackage"
        VERBATIM)
    add_custom_target(${target}-imagepackage ALL DEPENDS "${package}")
endfunction()
