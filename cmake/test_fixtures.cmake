# Under wine (the Windows build's tests): every test runs under one wineserver started before
# the first and stopped after the last (CTest fixture "wine"; cmake/wine-run.sh says why).
# Each directory that adds tests ends with forkhorn_tests_need_wine(): before CMake 3.28 a
# test's properties can only be set in the directory that added it.
function(forkhorn_tests_need_wine)
  get_property(tests DIRECTORY PROPERTY TESTS)
  if(CMAKE_CROSSCOMPILING_EMULATOR AND tests)
    set_tests_properties(${tests} PROPERTIES FIXTURES_REQUIRED wine)
  endif()
endfunction()

if(CMAKE_CROSSCOMPILING_EMULATOR AND FORKHORN_BUILD_TESTS)
  add_test(NAME wine.start COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} --start-server)
  add_test(NAME wine.stop COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} --stop-server)
  set_tests_properties(wine.start PROPERTIES FIXTURES_SETUP wine TIMEOUT 120)
  set_tests_properties(wine.stop PROPERTIES FIXTURES_CLEANUP wine TIMEOUT 30)
endif()
