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

# azsphere_configure_api(TARGET_API_SET "9"): the application runtime version a high-level
# app targets. Real-time capable apps use no API set; the value is recorded.
function(azsphere_configure_api)
    cmake_parse_arguments(PARSE_ARGV 0 ARG "" "TARGET_API_SET" "")
    if(NOT ARG_TARGET_API_SET)
        message(FATAL_ERROR "azsphere_configure_api: TARGET_API_SET is required")
    endif()
    set(AZURE_SPHERE_TARGET_API_SET "${ARG_TARGET_API_SET}" PARENT_SCOPE)
endfunction()

# azsphere_target_add_image_package(TARGET [RESOURCE_FILES f...] [DEBUG_LIB name]
#     [TARGET_DIRECTORY dir] [TARGET_DEFINITION file]): after TARGET is linked (as
# TARGET.out), pack it with ${CMAKE_SOURCE_DIR}/app_manifest.json into
# ${CMAKE_BINARY_DIR}/TARGET.imagepackage, placed at the manifest's EntryPoint; resource
# files go into the package under their paths relative to the source directory.
function(azsphere_target_add_image_package target)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "DEBUG_LIB;TARGET_DIRECTORY;TARGET_DEFINITION"
                          "RESOURCE_FILES")
    if(NOT TARGET ${target})
        message(FATAL_ERROR "azsphere_target_add_image_package: no target ${target}")
    endif()
    set(manifest "${CMAKE_SOURCE_DIR}/app_manifest.json")
    if(NOT EXISTS "${manifest}")
        message(FATAL_ERROR "azsphere_target_add_image_package: ${manifest} is missing")
    endif()
    set_target_properties(${target} PROPERTIES SUFFIX ".out")
    set(package "${CMAKE_BINARY_DIR}/${target}.imagepackage")
    set(files)
    set(depends "${manifest}")
    foreach(resource IN LISTS ARG_RESOURCE_FILES)
        get_filename_component(source "${resource}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
        file(RELATIVE_PATH dest "${CMAKE_SOURCE_DIR}" "${source}")
        list(APPEND files --file "${source}:${dest}")
        list(APPEND depends "${source}")
    endforeach()
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
