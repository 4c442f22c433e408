# Installation layout and the Debian package. Included once, at the end of the top-level
# CMakeLists.txt, after every target exists.
#
#   cmake --install build --prefix /usr       install (DESTDIR works as usual)
#   cd build && cpack                          build/confab_<version>_<arch>.deb   (make deb)
#
# What goes where (relative to the prefix):
#   bin/confab                                           (app/CMakeLists.txt: install(TARGETS))
#   share/applications/io.github.confab.Confab.desktop   from resources/confab.desktop
#   share/metainfo/io.github.confab.Confab.metainfo.xml  AppStream, launchable = the .desktop
#   share/icons/hicolor/scalable/apps/confab.svg         Icon=confab in the .desktop
#   share/confab/translations/*.qm                       only when the build makes any (below)
#
# tests/install checks this layout, the metadata and the package.

include(GNUInstallDirs)

# The desktop file takes the AppStream id as its name, so that software centres and
# Wayland compositors (QGuiApplication::desktopFileName) match window, launcher and metadata.
set(CONFAB_APP_ID io.github.confab.Confab)
set(CONFAB_ICON_DIR ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
set(CONFAB_DESKTOP_DIR ${CMAKE_INSTALL_DATADIR}/applications)
set(CONFAB_METAINFO_DIR ${CMAKE_INSTALL_DATADIR}/metainfo)
set(CONFAB_TRANSLATIONS_DIR ${CMAKE_INSTALL_DATADIR}/confab/translations)

install(FILES ${CONFAB_SOURCE_ROOT}/resources/icons/confab.svg DESTINATION ${CONFAB_ICON_DIR})
install(FILES ${CONFAB_SOURCE_ROOT}/resources/confab.desktop
        DESTINATION ${CONFAB_DESKTOP_DIR} RENAME ${CONFAB_APP_ID}.desktop)
install(FILES ${CONFAB_SOURCE_ROOT}/resources/${CONFAB_APP_ID}.metainfo.xml
        DESTINATION ${CONFAB_METAINFO_DIR})

# --- translations hook -------------------------------------------------------------------
# Whoever builds .qm files announces them, from any CMakeLists.txt, with
#
#   qt_add_translations(confab TS_FILES ... QM_FILES_OUTPUT_VARIABLE confab_qm_files)
#   set_property(GLOBAL APPEND PROPERTY CONFAB_QM_FILES ${confab_qm_files})
#
# and they are installed to share/confab/translations/ (and so land in the .deb). The list is
# read when the top-level directory is done, so the order of add_subdirectory() calls does
# not matter. (.qm files embedded as resources need nothing here.)
# build/confab_install_manifest.txt lists every installed file, for tests/install.
function(confab_finish_install_rules)
    get_property(qm_files GLOBAL PROPERTY CONFAB_QM_FILES)
    set(manifest
        ${CMAKE_INSTALL_BINDIR}/confab
        ${CONFAB_ICON_DIR}/confab.svg
        ${CONFAB_DESKTOP_DIR}/${CONFAB_APP_ID}.desktop
        ${CONFAB_METAINFO_DIR}/${CONFAB_APP_ID}.metainfo.xml)
    if(qm_files)
        install(FILES ${qm_files} DESTINATION ${CONFAB_TRANSLATIONS_DIR})
        foreach(qm IN LISTS qm_files)
            get_filename_component(name ${qm} NAME)
            list(APPEND manifest ${CONFAB_TRANSLATIONS_DIR}/${name})
        endforeach()
    endif()
    list(JOIN manifest "\n" manifest)
    file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/confab_install_manifest.txt
         CONTENT "${manifest}\n" @ONLY)
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL confab_finish_install_rules)

# --- Debian package (CPack) --------------------------------------------------------------
set(CONFAB_DEB_MAINTAINER "Confab maintainers <maintainers@confab.invalid>"
    CACHE STRING "Maintainer field of the .deb (Name <email>)")

set(CPACK_PACKAGE_NAME confab)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Confab")
set(CPACK_PACKAGE_CONTACT "${CONFAB_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Chat rooms for the local network")
set(CPACK_PACKAGE_INSTALL_DIRECTORY confab)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# RelWithDebInfo keeps debug info in the build tree; the package ships stripped binaries.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # confab_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CONFAB_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The long description (the summary line is CPACK_PACKAGE_DESCRIPTION_SUMMARY); CPack
# indents it and turns the empty line into " ." for the control file.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Confab is a chat program for a local network. One person hosts a
room and everyone on the same network finds it and joins: no account,
no internet connection and no server in the cloud.

The same program runs a room headless (confab --server), and web
browsers on the network can join a room too.")
# dpkg-shlibdeps (from dpkg-dev) works out the libraries the binary links to.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Plugins Qt loads at run time are invisible to dpkg-shlibdeps: the SVG icon (libqt6svg6's
# image and icon-engine plugins) and the history store (the SQLite driver). The X11 platform
# plugin is in libqt6gui6, which shlibdeps finds.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, libqt6sql6-sqlite")
# Qt's own strings (standard buttons, context menus) in the user's language; Confab's own
# translations are embedded in the binary (translations/README.md).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n")

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/")

include(CPack)
