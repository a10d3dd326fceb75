# ctest qa_exabgp_files_by_path: every .ci file of ExaBGP's encoding/ and api/
# given to `bgpsim qa` as a file path (not through --exabgp) passes: each
# finds its configuration in the etc/ beside its folder, for its functional
# run and for the decoding context of its raw -> JSON pairs (api-open.ci's
# pair needs the add-path of its configuration). Without ../shared it skips;
# CI (CI=true or BGPSIM_REQUIRE_ALL=1) refuses that.
#   cmake -DBGPSIM=... -DSHARED_DIR=... -P exabgp_by_path.cmake
if(DEFINED ENV{BGPSIM_SHARED_DIR} AND NOT "$ENV{BGPSIM_SHARED_DIR}" STREQUAL "")
  set(SHARED_DIR $ENV{BGPSIM_SHARED_DIR})
endif()
if(NOT IS_DIRECTORY ${SHARED_DIR}/exabgp-qa)
  if("$ENV{CI}" STREQUAL "true" OR "$ENV{BGPSIM_REQUIRE_ALL}" STREQUAL "1")
    message(FATAL_ERROR "required in CI but cannot run: ${SHARED_DIR}/exabgp-qa is absent")
  endif()
  message("SKIPPED: ${SHARED_DIR}/exabgp-qa is absent")
  return()
endif()
file(GLOB files ${SHARED_DIR}/exabgp-qa/encoding/*.ci ${SHARED_DIR}/exabgp-qa/api/*.ci)
execute_process(COMMAND ${BGPSIM} qa ${files} OUTPUT_VARIABLE out ERROR_VARIABLE err
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  string(REGEX MATCHALL "FAIL[^\n]*" fails "${out}")
  string(REPLACE ";" "\n" fails "${fails}")
  message(FATAL_ERROR "bgpsim qa FILES exited ${rc}:\n${fails}\n${err}")
endif()
string(REGEX MATCH "[0-9]+ passed, 0 failed[^\n]*" summary "${out}")
message(STATUS "${summary}")
