# install_tree: cmake --install the build into a fresh PREFIX, then check that every file
# is where it belongs, that nothing else was installed, and that the installed binary runs.
# Run by ctest (tests/install/CMakeLists.txt) with -DBUILD_DIR -DPREFIX -DCONFAB_BINARY
# -DVERSION -DAPP_ID -DSOURCE_DIR.
cmake_minimum_required(VERSION 3.22)

foreach(var BUILD_DIR PREFIX CONFAB_BINARY VERSION APP_ID SOURCE_DIR)
    if("${${var}}" STREQUAL "")
        message(FATAL_ERROR "check_install.cmake: -D${var}=... is missing")
    endif()
endforeach()
if(NOT EXISTS "${CONFAB_BINARY}")
    message(FATAL_ERROR "${CONFAB_BINARY} is not built: build first (cmake --build ${BUILD_DIR})")
endif()

file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}")
endif()

# The files this test insists on, whatever the build adds (the layout is the contract with
# desktops and software centres), then the build's own list (adds .qm files when built).
set(expected
    bin/confab
    share/icons/hicolor/scalable/apps/confab.svg
    share/applications/${APP_ID}.desktop
    share/metainfo/${APP_ID}.metainfo.xml)
set(manifest_file "${BUILD_DIR}/confab_install_manifest.txt")
if(NOT EXISTS "${manifest_file}")
    message(FATAL_ERROR "${manifest_file} is missing: re-run cmake on ${BUILD_DIR}")
endif()
file(STRINGS "${manifest_file}" manifest)
list(APPEND expected ${manifest})
list(REMOVE_DUPLICATES expected)

set(errors "")
foreach(rel IN LISTS expected)
    if(NOT EXISTS "${PREFIX}/${rel}" OR IS_DIRECTORY "${PREFIX}/${rel}")
        string(APPEND errors "  missing: ${rel}\n")
    else()
        file(SIZE "${PREFIX}/${rel}" size)
        if(size EQUAL 0)
            string(APPEND errors "  empty: ${rel}\n")
        endif()
    endif()
endforeach()

file(GLOB_RECURSE installed LIST_DIRECTORIES false RELATIVE "${PREFIX}" "${PREFIX}/*")
foreach(rel IN LISTS installed)
    if(NOT rel IN_LIST expected)
        string(APPEND errors "  not expected: ${rel} (add it to the manifest in "
                             "cmake/ConfabPackaging.cmake, or stop installing it)\n")
    endif()
endforeach()

# The data files are installed as they are in the source tree.
foreach(pair "resources/icons/confab.svg|share/icons/hicolor/scalable/apps/confab.svg"
             "resources/confab.desktop|share/applications/${APP_ID}.desktop"
             "resources/${APP_ID}.metainfo.xml|share/metainfo/${APP_ID}.metainfo.xml")
    string(REPLACE "|" ";" pair "${pair}")
    list(GET pair 0 src)
    list(GET pair 1 dst)
    if(EXISTS "${PREFIX}/${dst}")
        execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files
                                "${SOURCE_DIR}/${src}" "${PREFIX}/${dst}"
                        RESULT_VARIABLE differ)
        if(NOT differ EQUAL 0)
            string(APPEND errors "  ${dst} differs from ${src}\n")
        endif()
    endif()
endforeach()

# The installed binary must not look into the build tree for libraries.
find_program(READELF readelf)
if(READELF AND EXISTS "${PREFIX}/bin/confab")
    execute_process(COMMAND "${READELF}" -d "${PREFIX}/bin/confab" OUTPUT_VARIABLE dyn)
    string(REGEX MATCHALL "\\((RPATH|RUNPATH)\\)[^\n]*" paths "${dyn}")
    string(FIND "${paths}" "${BUILD_DIR}" at)
    if(NOT at EQUAL -1)
        string(APPEND errors "  bin/confab keeps a build-tree rpath: ${paths}\n")
    endif()
endif()

if(errors)
    message(FATAL_ERROR "installed tree in ${PREFIX} is wrong:\n${errors}")
endif()

# The installed binary runs; --version needs no display.
execute_process(COMMAND "${CMAKE_COMMAND}" -E env QT_QPA_PLATFORM=offscreen
                        "${PREFIX}/bin/confab" --version
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
if(NOT rc EQUAL 0 OR NOT out MATCHES "confab ${VERSION}")
    message(FATAL_ERROR "installed bin/confab --version: exit ${rc}, expected \"confab ${VERSION}\", "
                        "got:\n${out}${err}")
endif()
string(STRIP "${out}" out)
list(LENGTH expected count)
message(STATUS "installed ${count} files into ${PREFIX}; bin/confab --version: ${out}")
