# Precompiled headers (BGPSIM_PCH, on in the `asan` preset that CI builds).
#
# Two host targets compile the headers once: bgpsim_pch_lib (standard
# library, fmt, nlohmann/json, Boost.Asio: cmake/pch/third_party.hpp) and
# bgpsim_pch_tests (the same plus GoogleTest and RapidCheck); every other
# target reuses one of them. Reuse needs the same compiler flags, which holds
# because the flags are global (sanitizers, build type), the same on every
# target (bgpsim_warnings) or the same in every test folder
# (BGPSIM_TEST_OPTIMIZATION, which bgpsim_pch_tests shares); GCC checks it and
# warns (-Winvalid-pch) if not.
#
# Off by default elsewhere: with it on, every file sees these headers, which
# would hide a missing #include from the dev build, and ccache would need
# extra settings to cache it.
option(BGPSIM_PCH "Precompile the third-party headers (Asio, gtest, rapidcheck...)" OFF)

# Every target defined in `dir` and below.
function(bgpsim_targets_below dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    bgpsim_targets_below(${sub} below)
    list(APPEND targets ${below})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Call once, after every add_subdirectory.
function(bgpsim_precompile_headers)
  if(NOT BGPSIM_PCH)
    return()
  endif()
  bgpsim_targets_below(${PROJECT_SOURCE_DIR} targets)
  get_property(global_options DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY COMPILE_OPTIONS)
  set(reusing 0)

  add_library(bgpsim_pch_lib STATIC ${PROJECT_SOURCE_DIR}/cmake/pch/host.cpp)
  target_include_directories(bgpsim_pch_lib PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(bgpsim_pch_lib PRIVATE Boost::headers fmt::fmt nlohmann_json::nlohmann_json
                                               bgpsim_warnings)
  target_precompile_headers(bgpsim_pch_lib PRIVATE ${PROJECT_SOURCE_DIR}/cmake/pch/third_party.hpp)

  if(TARGET GTest::gtest)
    add_library(bgpsim_pch_tests STATIC ${PROJECT_SOURCE_DIR}/cmake/pch/host.cpp)
    target_include_directories(bgpsim_pch_tests PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(bgpsim_pch_tests PRIVATE Boost::headers fmt::fmt nlohmann_json::nlohmann_json
                                                   GTest::gtest rapidcheck rapidcheck_gtest bgpsim_warnings)
    target_precompile_headers(bgpsim_pch_tests PRIVATE ${PROJECT_SOURCE_DIR}/cmake/pch/tests.hpp)
    target_compile_options(bgpsim_pch_tests PRIVATE ${BGPSIM_TEST_OPTIMIZATION})
    get_property(test_options DIRECTORY ${PROJECT_SOURCE_DIR}/tests PROPERTY COMPILE_OPTIONS)
  endif()

  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "STATIC_LIBRARY" AND NOT type STREQUAL "EXECUTABLE")
      continue()
    endif()
    # A target with flags of its own (the libFuzzer targets) cannot use a
    # header precompiled with other flags. Every target starts with its
    # folder's options (add_compile_options: the sanitizers, and the tests'
    # optimisation level), so only options beyond those count; comparing with
    # nothing once skipped every target, and the headers were precompiled for
    # no one.
    get_target_property(source_dir ${target} SOURCE_DIR)
    get_property(folder_options DIRECTORY ${source_dir} PROPERTY COMPILE_OPTIONS)
    get_target_property(own_options ${target} COMPILE_OPTIONS)
    if(own_options AND NOT own_options STREQUAL folder_options)
      continue()
    endif()
    get_target_property(links ${target} LINK_LIBRARIES)
    if(TARGET bgpsim_pch_tests AND links MATCHES "GTest::" AND folder_options STREQUAL test_options)
      target_precompile_headers(${target} REUSE_FROM bgpsim_pch_tests)
    elseif(folder_options STREQUAL global_options)
      target_precompile_headers(${target} REUSE_FROM bgpsim_pch_lib)
    else()
      continue()
    endif()
    math(EXPR reusing "${reusing} + 1")
  endforeach()
  # The headers were once precompiled and reused by no target, silently:
  # configuring fails instead.
  if(reusing LESS 10)
    message(FATAL_ERROR "BGPSIM_PCH: only ${reusing} targets reuse the precompiled headers")
  endif()
endfunction()
