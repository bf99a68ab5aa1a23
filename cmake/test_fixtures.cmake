# What every test shares, set by forkhorn_test_fixtures() at the end of each directory that adds
# tests (before CMake 3.28 a test's properties can only be set in the directory that added it):
#
# - Under wine (the Windows build's tests): every test runs under one wineserver started before
#   the first and stopped after the last (fixture "wine"; cmake/wine-run.sh says why).
# - Under a sanitizer (FORKHORN_SANITIZE): every process a test starts writes its reports to
#   ${FORKHORN_SANITIZER_REPORTS}, emptied before the first test and checked after the last
#   (fixture "sanitizer"). A report from a worker must fail the run even when the arbiter
#   replaced that worker and the test saw every answer it wanted.
set(FORKHORN_SANITIZER_REPORTS ${PROJECT_BINARY_DIR}/sanitizer-reports)

function(forkhorn_test_fixtures)
  get_property(tests DIRECTORY PROPERTY TESTS)
  if(NOT tests)
    return()
  endif()
  if(CMAKE_CROSSCOMPILING_EMULATOR)
    set_tests_properties(${tests} PROPERTIES FIXTURES_REQUIRED wine)
  endif()
  if(FORKHORN_SANITIZE)
    set(report ${FORKHORN_SANITIZER_REPORTS}/report)
    # halt_on_error: a report ends the process, so no test goes on past a first fault;
    # handle_abort: a failed assert() in a worker is a report too, with its stack.
    set(common "log_path=${report}:halt_on_error=1:print_stacktrace=1")
    set_tests_properties(${tests} PROPERTIES FIXTURES_REQUIRED sanitizer
      ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=set:${common}:detect_leaks=1:handle_abort=1;UBSAN_OPTIONS=set:${common};TSAN_OPTIONS=set:${common}:second_deadlock_stack=1")
  endif()
endfunction()

if(CMAKE_CROSSCOMPILING_EMULATOR AND FORKHORN_BUILD_TESTS)
  add_test(NAME wine.start COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} --start-server)
  add_test(NAME wine.stop COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} --stop-server)
  set_tests_properties(wine.start PROPERTIES FIXTURES_SETUP wine TIMEOUT 120)
  set_tests_properties(wine.stop PROPERTIES FIXTURES_CLEANUP wine TIMEOUT 30)
endif()

if(FORKHORN_SANITIZE AND FORKHORN_BUILD_TESTS)
  set(script ${PROJECT_SOURCE_DIR}/cmake/check_sanitizer_reports.cmake)
  add_test(NAME sanitizer.clear COMMAND ${CMAKE_COMMAND} -DREPORTS=${FORKHORN_SANITIZER_REPORTS} -DCLEAR=ON -P ${script})
  add_test(NAME sanitizer.check COMMAND ${CMAKE_COMMAND} -DREPORTS=${FORKHORN_SANITIZER_REPORTS} -P ${script})
  set_tests_properties(sanitizer.clear PROPERTIES FIXTURES_SETUP sanitizer)
  set_tests_properties(sanitizer.check PROPERTIES FIXTURES_CLEANUP sanitizer)
endif()
