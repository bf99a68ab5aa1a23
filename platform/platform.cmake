# The platform layer: the same file names in posix/ and windows/, one folder per build.
if(WIN32)
  set(FORKHORN_PLATFORM_DIR ${PROJECT_SOURCE_DIR}/platform/windows)
  # win.cpp: what the Windows files share; service_run.cpp: the service process (the SCM's side).
  target_sources(forkhorn_core PRIVATE ${FORKHORN_PLATFORM_DIR}/win.cpp ${FORKHORN_PLATFORM_DIR}/service_run.cpp)
  target_compile_definitions(forkhorn_core PUBLIC WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00)
  target_link_libraries(forkhorn_core PUBLIC ws2_32 mswsock advapi32)
  target_compile_definitions(forkhorn_asio PUBLIC WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00)
  target_link_libraries(forkhorn_asio PUBLIC ws2_32 mswsock bcrypt)
else()
  set(FORKHORN_PLATFORM_DIR ${PROJECT_SOURCE_DIR}/platform/posix)
endif()
target_sources(forkhorn_core PRIVATE ${PROJECT_SOURCE_DIR}/platform/common.cpp
  ${FORKHORN_PLATFORM_DIR}/process.cpp ${FORKHORN_PLATFORM_DIR}/library.cpp
  ${FORKHORN_PLATFORM_DIR}/sockets.cpp ${FORKHORN_PLATFORM_DIR}/system.cpp ${FORKHORN_PLATFORM_DIR}/service.cpp)
