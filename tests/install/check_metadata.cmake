# install_metadata: the installed .desktop file and AppStream metainfo pass their validators
# (desktop-file-validate from desktop-file-utils, appstreamcli from appstream), and agree
# with each other and with the installed tree. Runs on the prefix install_tree made.
# A missing validator skips its part; the test then reports SKIPPED (ctest: skipped).
cmake_minimum_required(VERSION 3.22)

foreach(var PREFIX VERSION APP_ID)
    if("${${var}}" STREQUAL "")
        message(FATAL_ERROR "check_metadata.cmake: -D${var}=... is missing")
    endif()
endforeach()
set(desktop "${PREFIX}/share/applications/${APP_ID}.desktop")
set(metainfo "${PREFIX}/share/metainfo/${APP_ID}.metainfo.xml")
foreach(f "${desktop}" "${metainfo}")
    if(NOT EXISTS "${f}")
        message(FATAL_ERROR "${f} is missing: install_tree must run first")
    endif()
endforeach()

set(errors "")
set(skipped "")

# --- validators --------------------------------------------------------------------------
find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
if(DESKTOP_FILE_VALIDATE)
    execute_process(COMMAND "${DESKTOP_FILE_VALIDATE}" "${desktop}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 30)
    # Errors fail (exit status); warnings fail too, so the file stays clean. Hints pass.
    if(NOT rc EQUAL 0 OR out MATCHES "(error|warning):")
        string(APPEND errors "desktop-file-validate ${desktop} (exit ${rc}):\n${out}\n")
    else()
        message(STATUS "desktop-file-validate: ok")
    endif()
else()
    list(APPEND skipped "desktop-file-validate (Debian: desktop-file-utils)")
endif()

find_program(APPSTREAMCLI appstreamcli)
if(APPSTREAMCLI)
    # Fails on errors and warnings; info and pedantic notes pass.
    execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net --no-color "${metainfo}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 60)
    if(NOT rc EQUAL 0 OR out MATCHES "(^|\n)[EW]: ")
        string(APPEND errors "appstreamcli validate ${metainfo} (exit ${rc}):\n${out}\n")
    else()
        message(STATUS "appstreamcli validate: ok")
    endif()
else()
    list(APPEND skipped "appstreamcli (Debian: appstream)")
endif()

# --- agreement between the files ---------------------------------------------------------
file(READ "${metainfo}" xml)
file(READ "${desktop}" entries)

if(NOT xml MATCHES "<id>${APP_ID}</id>")
    string(APPEND errors "metainfo <id> is not ${APP_ID}\n")
endif()
if(NOT xml MATCHES "<launchable type=\"desktop-id\">${APP_ID}\\.desktop</launchable>")
    string(APPEND errors "metainfo <launchable> does not name the installed ${APP_ID}.desktop\n")
endif()
if(NOT xml MATCHES "<release version=\"${VERSION}\"")
    string(APPEND errors "metainfo has no <release version=\"${VERSION}\"> (the project's "
                         "version, CMakeLists.txt): add the release\n")
endif()
if(NOT xml MATCHES "<summary xml:lang=\"ko\">")
    string(APPEND errors "metainfo has no Korean summary\n")
endif()
if(NOT xml MATCHES "<binary>confab</binary>")
    string(APPEND errors "metainfo does not provide the binary confab\n")
endif()

foreach(key Exec Icon)
    set(${key} "")
    if(entries MATCHES "(^|\n)${key}=([^\n]*)")
        string(REGEX REPLACE " .*" "" ${key} "${CMAKE_MATCH_2}")   # the program, not its arguments
    endif()
endforeach()
if(NOT Exec STREQUAL "confab" OR NOT EXISTS "${PREFIX}/bin/${Exec}")
    string(APPEND errors "desktop Exec=${Exec}: expected confab, installed in bin/\n")
endif()
if(NOT EXISTS "${PREFIX}/share/icons/hicolor/scalable/apps/${Icon}.svg")
    string(APPEND errors "desktop Icon=${Icon}: no share/icons/hicolor/scalable/apps/${Icon}.svg\n")
endif()
foreach(key "Name\\[ko\\]" "GenericName\\[ko\\]" "Comment\\[ko\\]" "Keywords\\[ko\\]")
    if(NOT entries MATCHES "(^|\n)${key}=")
        string(APPEND errors "desktop file has no ${key}=\n")
    endif()
endforeach()

if(errors)
    message(FATAL_ERROR "desktop metadata is wrong:\n${errors}")
endif()
if(skipped)
    list(JOIN skipped ", " skipped)
    message("SKIPPED: not installed: ${skipped}; the rest passed. "
            "Install them with scripts/install-deps.sh --test")
endif()
