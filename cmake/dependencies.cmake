# Every dependency comes from Debian's packages (scripts/deps.sh installs them). On Linux they
# are found as installed; for the Windows cross build (MinGW-w64) the header-only ones are
# used from the host's headers through a symlink directory, under the same target names.
find_package(Threads REQUIRED)

if(WIN32)
  # /usr/include itself must not be on MinGW's include path (its glibc headers shadow
  # MinGW's), so only the needed header trees are exposed.
  set(FORKHORN_HOST_HEADERS ${CMAKE_BINARY_DIR}/host-headers)
  file(MAKE_DIRECTORY ${FORKHORN_HOST_HEADERS})
  foreach(h asio asio.hpp fmt cxxopts.hpp toml++ nlohmann boost)
    if(NOT EXISTS /usr/include/${h})
      message(FATAL_ERROR "/usr/include/${h} is missing: run scripts/deps.sh")
    endif()
    file(CREATE_LINK /usr/include/${h} ${FORKHORN_HOST_HEADERS}/${h} SYMBOLIC)
  endforeach()
  function(forkhorn_header_only name)
    add_library(${name} INTERFACE IMPORTED GLOBAL)
    target_include_directories(${name} SYSTEM INTERFACE ${FORKHORN_HOST_HEADERS})
    target_compile_definitions(${name} INTERFACE ${ARGN})
  endfunction()
  forkhorn_header_only(fmt::fmt FMT_HEADER_ONLY)
  forkhorn_header_only(cxxopts::cxxopts)
  forkhorn_header_only(nlohmann_json::nlohmann_json)
  forkhorn_header_only(PkgConfig::TOMLPP TOML_HEADER_ONLY=1)
  set(ASIO_INCLUDE_DIR ${FORKHORN_HOST_HEADERS})
  # Boost.Test header-only: exactly one translation unit per test program includes it.
  forkhorn_header_only(forkhorn_boost_test)
  set(FORKHORN_TEST_MAIN ${PROJECT_SOURCE_DIR}/tests/unit/test_main_included.cpp)

  # libuv: Debian's libuv1-dev is Linux-only, so its source package is built with MinGW.
  set(LIBUV_SOURCE_DIR "" CACHE PATH "libuv source tree (empty: fetch Debian's source package)")
  if(NOT LIBUV_SOURCE_DIR)
    execute_process(COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/fetch-deb-src.sh libuv1 ${PROJECT_SOURCE_DIR}/out/_deps
                    OUTPUT_VARIABLE _uv OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "fetching libuv's Debian source package failed (${_rc}); set LIBUV_SOURCE_DIR")
    endif()
    set(LIBUV_SOURCE_DIR ${_uv} CACHE PATH "libuv source tree (empty: fetch Debian's source package)" FORCE)
  endif()
  message(STATUS "libuv source: ${LIBUV_SOURCE_DIR}")
  set(LIBUV_BUILD_TESTS OFF CACHE BOOL "" FORCE)
  set(LIBUV_BUILD_BENCH OFF CACHE BOOL "" FORCE)
  add_subdirectory(${LIBUV_SOURCE_DIR} ${CMAKE_BINARY_DIR}/libuv EXCLUDE_FROM_ALL SYSTEM)
  target_compile_options(uv_a PRIVATE -w) # its own code, its own warnings
  add_library(forkhorn_uv ALIAS uv_a)

  # OpenSSL: cross-built (static) from Debian's source package by OpenSSL's own Configure, once:
  # the installed prefix in out/_deps is reused by later configures.
  set(FORKHORN_OPENSSL_MINGW_ROOT "" CACHE PATH "MinGW OpenSSL prefix (empty: build Debian's source package)")
  if(NOT FORKHORN_OPENSSL_MINGW_ROOT)
    message(STATUS "OpenSSL for MinGW: scripts/build-openssl-mingw.sh (a few minutes the first time)")
    execute_process(COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/build-openssl-mingw.sh ${PROJECT_SOURCE_DIR}/out/_deps
                    OUTPUT_VARIABLE _ssl OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "building OpenSSL for MinGW failed (${_rc}); set FORKHORN_OPENSSL_MINGW_ROOT")
    endif()
    set(FORKHORN_OPENSSL_MINGW_ROOT ${_ssl} CACHE PATH "MinGW OpenSSL prefix (empty: build Debian's source package)" FORCE)
  endif()
  set(OPENSSL_ROOT_DIR ${FORKHORN_OPENSSL_MINGW_ROOT})
  set(OPENSSL_USE_STATIC_LIBS TRUE)
  # The toolchain searches the MinGW sysroot only; a path under a find root is not re-rooted.
  list(APPEND CMAKE_FIND_ROOT_PATH ${FORKHORN_OPENSSL_MINGW_ROOT})
  find_package(OpenSSL 3 REQUIRED)
  list(REMOVE_ITEM CMAKE_FIND_ROOT_PATH ${FORKHORN_OPENSSL_MINGW_ROOT})
  add_library(forkhorn_openssl INTERFACE)
  # What static libcrypto imports besides kernel32: ws2_32 (sockets), advapi32 (CryptGenRandom,
  # event log), user32 (MessageBox, window station); crypt32 is in OpenSSL's own list (the CAPI
  # engine's certificate store). FindOpenSSL already adds ws2_32 and crypt32.
  target_link_libraries(forkhorn_openssl INTERFACE OpenSSL::SSL OpenSSL::Crypto ws2_32 crypt32 advapi32 user32)
else()
  find_package(PkgConfig REQUIRED)
  find_package(fmt REQUIRED)
  find_package(cxxopts REQUIRED)
  find_package(nlohmann_json 3.10 REQUIRED)
  pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
  find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
  pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
  add_library(forkhorn_uv ALIAS PkgConfig::LIBUV)
  find_package(OpenSSL 3 REQUIRED)
  add_library(forkhorn_openssl INTERFACE)
  target_link_libraries(forkhorn_openssl INTERFACE OpenSSL::SSL OpenSSL::Crypto)
  if(FORKHORN_BUILD_TESTS)
    find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
    add_library(forkhorn_boost_test INTERFACE)
    target_link_libraries(forkhorn_boost_test INTERFACE Boost::unit_test_framework)
    target_compile_definitions(forkhorn_boost_test INTERFACE BOOST_TEST_DYN_LINK)
  endif()
  set(FORKHORN_TEST_MAIN ${PROJECT_SOURCE_DIR}/tests/unit/test_main.cpp)
endif()

# Asio is compiled once (ASIO_SEPARATE_COMPILATION) instead of in every translation unit.
add_library(forkhorn_asio STATIC ${PROJECT_SOURCE_DIR}/src/asio_impl.cpp)
target_compile_definitions(forkhorn_asio PUBLIC ASIO_STANDALONE ASIO_SEPARATE_COMPILATION ASIO_NO_DEPRECATED)
target_include_directories(forkhorn_asio SYSTEM PUBLIC ${ASIO_INCLUDE_DIR})
target_link_libraries(forkhorn_asio PUBLIC Threads::Threads)
