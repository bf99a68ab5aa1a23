# The Windows installer: `cmake --build out/windows --target package` makes
# forkhorn-<version>-win64.exe with CPack's NSIS generator (Debian's nsis package provides
# makensis, so it cross-builds on Linux). Included from the top-level CMakeLists when WIN32.
install(TARGETS forkhorn RUNTIME DESTINATION bin)
if(FORKHORN_BUILD_EXAMPLES)
  install(TARGETS hello echo slow LIBRARY DESTINATION examples)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION doc)
foreach(doc windows.md windows-service.md)
  if(EXISTS ${PROJECT_SOURCE_DIR}/docs/${doc})
    install(FILES ${PROJECT_SOURCE_DIR}/docs/${doc} DESTINATION doc)
  endif()
endforeach()

set(CPACK_GENERATOR NSIS)
set(CPACK_PACKAGE_NAME forkhorn)
set(CPACK_PACKAGE_VENDOR forkhorn)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "forkhorn, a pre-fork HTTP server")
set(CPACK_PACKAGE_FILE_NAME forkhorn-${PROJECT_VERSION}-win64)
set(CPACK_PACKAGE_INSTALL_DIRECTORY forkhorn)
# The project has no licence file yet: without this CPack would show CMake's own licence.
set(CPACK_NSIS_IGNORE_LICENSE_PAGE ON)
# A 64-bit installer for a 64-bit program: no WOW64 redirection of Program Files or the
# registry, and it runs under a wine without wine32.
# CPACK_NSIS_DEFINES lands near the top of CPack's NSIS template, where Target is accepted.
set(CPACK_NSIS_DEFINES "  Target amd64-unicode")
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
set(CPACK_NSIS_PACKAGE_NAME "forkhorn ${PROJECT_VERSION}")
set(CPACK_NSIS_DISPLAY_NAME "forkhorn ${PROJECT_VERSION}")
set(CPACK_NSIS_MODIFY_PATH ON) # offers to put bin\ on PATH
# The service: stop it before files are replaced, offer it after, remove it with the program.
# (The quotes are escaped twice: CPack writes these values into CPackConfig.cmake first.)
set(CPACK_NSIS_EXTRA_PREINSTALL_COMMANDS "!include \\\"${CMAKE_CURRENT_LIST_DIR}/service.nsh\\\"
!insertmacro forkhorn_stop_service")
set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS "!insertmacro forkhorn_offer_service")
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS "!insertmacro forkhorn_remove_service")
include(CPack)
