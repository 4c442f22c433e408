# install_deb: cpack -G DEB into a scratch WORK_DIR (the build tree gets no package), then
# dpkg-deb shows that confab_<version>_<arch>.deb holds every installed file under /usr and
# that its Depends were computed by dpkg-shlibdeps (plus the Qt plugins it cannot see).
# Needs dpkg-deb and dpkg-shlibdeps (Debian: dpkg-dev); without them the test is skipped.
cmake_minimum_required(VERSION 3.22)

foreach(var BUILD_DIR WORK_DIR CPACK CONFAB_BINARY VERSION APP_ID)
    if("${${var}}" STREQUAL "")
        message(FATAL_ERROR "check_deb.cmake: -D${var}=... is missing")
    endif()
endforeach()
if(NOT EXISTS "${CONFAB_BINARY}")
    message(FATAL_ERROR "${CONFAB_BINARY} is not built: build first (cmake --build ${BUILD_DIR})")
endif()
find_program(DPKG_DEB dpkg-deb)
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(DPKG dpkg)
if(NOT DPKG_DEB OR NOT DPKG_SHLIBDEPS OR NOT DPKG)
    message("SKIPPED: dpkg-deb or dpkg-shlibdeps not found (Debian: dpkg-dev); "
            "install with scripts/install-deps.sh --test")
    return()
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
string(TIMESTAMP started "%s")
execute_process(COMMAND "${CPACK}" --config "${BUILD_DIR}/CPackConfig.cmake" -G DEB
                        -B "${WORK_DIR}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 100)
string(TIMESTAMP finished "%s")
math(EXPR seconds "${finished} - ${started}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cpack -G DEB failed (${rc}):\n${out}")
endif()

execute_process(COMMAND "${DPKG}" --print-architecture
                OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
set(deb "${WORK_DIR}/confab_${VERSION}_${arch}.deb")
if(NOT EXISTS "${deb}")
    file(GLOB made "${WORK_DIR}/*.deb")
    message(FATAL_ERROR "expected ${deb}; cpack made: ${made}\n${out}")
endif()

set(errors "")

# Contents: the files the install test checks, under /usr, and the build's manifest.
execute_process(COMMAND "${DPKG_DEB}" -c "${deb}" RESULT_VARIABLE rc OUTPUT_VARIABLE listing)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -c ${deb} failed (${rc})")
endif()
set(expected
    bin/confab
    share/icons/hicolor/scalable/apps/confab.svg
    share/applications/${APP_ID}.desktop
    share/metainfo/${APP_ID}.metainfo.xml)
if(EXISTS "${BUILD_DIR}/confab_install_manifest.txt")
    file(STRINGS "${BUILD_DIR}/confab_install_manifest.txt" manifest)
    list(APPEND expected ${manifest})
    list(REMOVE_DUPLICATES expected)
endif()
foreach(rel IN LISTS expected)
    string(FIND "${listing}" " ./usr/${rel}\n" at)
    if(at EQUAL -1)
        string(APPEND errors "  not in the package: /usr/${rel}\n")
    endif()
endforeach()
if(NOT listing MATCHES "(^|\n)-rwxr-xr-x [^\n]* \\./usr/bin/confab\n")
    string(APPEND errors "  /usr/bin/confab is not mode 0755\n")
endif()

# Control fields.
foreach(field Package Version Architecture Section Maintainer Depends Description)
    execute_process(COMMAND "${DPKG_DEB}" -f "${deb}" ${field}
                    OUTPUT_VARIABLE value OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(control_${field} "${value}")
    if(value STREQUAL "")
        string(APPEND errors "  control field ${field} is empty\n")
    endif()
endforeach()
if(NOT control_Package STREQUAL "confab")
    string(APPEND errors "  Package: ${control_Package}, expected confab\n")
endif()
if(NOT control_Version STREQUAL "${VERSION}")
    string(APPEND errors "  Version: ${control_Version}, expected ${VERSION}\n")
endif()
if(NOT control_Section STREQUAL "net")
    string(APPEND errors "  Section: ${control_Section}, expected net\n")
endif()
# libqt6core6 and libc6 come only from dpkg-shlibdeps; the plugin packages are listed by hand.
foreach(dep libc6 libqt6core6 libqt6widgets6 libqt6websockets6 libqt6svg6 libqt6sql6-sqlite)
    if(NOT control_Depends MATCHES "(^|, )${dep}( |,|$)")
        string(APPEND errors "  Depends lacks ${dep}: ${control_Depends}\n")
    endif()
endforeach()

if(errors)
    message(FATAL_ERROR "${deb} is wrong:\n${errors}\ndpkg-deb -c:\n${listing}")
endif()
file(SIZE "${deb}" size)
math(EXPR kib "${size} / 1024")
message(STATUS "${deb}: ${kib} KiB, made in ${seconds} s\nDepends: ${control_Depends}")
