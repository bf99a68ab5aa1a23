# An app library as users build them: a MODULE exporting its entry function, named
# libNAME.so on Unix and NAME.dll on Windows, written to OUTPUT_DIR.
function(forkhorn_app_library name output_dir)
  add_library(${name} MODULE ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${name} PRIVATE forkhorn_warnings)
  # Without it GCC marks the SDK's statics STB_GNU_UNIQUE and the library can never be
  # unloaded, so a HUP would keep serving the old code (see app.hpp).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT WIN32)
    target_compile_options(${name} PRIVATE -fno-gnu-unique)
  endif()
  set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${output_dir})
  if(WIN32)
    set_target_properties(${name} PROPERTIES PREFIX "")
  else()
    set_target_properties(${name} PROPERTIES PREFIX "lib")
  endif()
endfunction()
