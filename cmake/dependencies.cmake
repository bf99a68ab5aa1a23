# Every dependency comes from Debian's packages (see .ci/run for the list).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(cxxopts REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)

# Asio is compiled once (ASIO_SEPARATE_COMPILATION) instead of in every translation unit.
# Not linked yet: the keep-alive worker types (gthread, async) are built on it.
add_library(forkhorn_asio STATIC EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/src/asio_impl.cpp)
target_compile_definitions(forkhorn_asio PUBLIC ASIO_STANDALONE ASIO_SEPARATE_COMPILATION ASIO_NO_DEPRECATED)
target_include_directories(forkhorn_asio SYSTEM PUBLIC ${ASIO_INCLUDE_DIR})
target_link_libraries(forkhorn_asio PUBLIC Threads::Threads)

if(FORKHORN_BUILD_TESTS)
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
endif()
