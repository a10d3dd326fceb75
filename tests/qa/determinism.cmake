# ctest qa_check_determinism: `bgpsim qa --check-determinism` over the
# bundled suite and ExaBGP's encoding and API folders (every test run twice
# with the seed, the trace hashes compared, in parallel as `bgpsim qa` runs
# them). Fails on any test reported nondeterministic, whether it passes or
# not: tests that fail for a missing feature are the floor's business
# (qa_bundled_floor, qa_functional_tests). Without ../shared only the bundled
# suite runs, which CI (CI=true or BGPSIM_REQUIRE_ALL=1) refuses.
#   cmake -DBGPSIM=... -DQA_DIR=... -DSHARED_DIR=... -P determinism.cmake
# The bundled suite: every folder of qa/ (a folder argument is not searched
# below its own level).
file(GLOB entries LIST_DIRECTORIES true ${QA_DIR}/*)
set(paths)
foreach(entry ${entries})
  file(GLOB cis ${entry}/*.ci)
  if(IS_DIRECTORY ${entry} AND cis)
    list(APPEND paths ${entry})
  endif()
endforeach()
if(DEFINED ENV{BGPSIM_SHARED_DIR} AND NOT "$ENV{BGPSIM_SHARED_DIR}" STREQUAL "")
  set(SHARED_DIR $ENV{BGPSIM_SHARED_DIR})
endif()
if(IS_DIRECTORY ${SHARED_DIR}/exabgp-qa)
  list(APPEND paths ${SHARED_DIR}/exabgp-qa/encoding ${SHARED_DIR}/exabgp-qa/api)
elseif("$ENV{CI}" STREQUAL "true" OR "$ENV{BGPSIM_REQUIRE_ALL}" STREQUAL "1")
  message(FATAL_ERROR "required in CI but cannot run: ${SHARED_DIR}/exabgp-qa is absent")
else()
  message(STATUS "${SHARED_DIR}/exabgp-qa is absent: the bundled suite only")
endif()
execute_process(COMMAND ${BGPSIM} qa --check-determinism ${paths}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REGEX MATCH "functional: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped[^\n]*" summary "${out}")
if(summary STREQUAL "")
  message(FATAL_ERROR "bgpsim qa gave no summary (exit ${rc}):\n${out}\n${err}")
endif()
string(REGEX MATCHALL "[^\n]*nondeterministic[^\n]*" bad "${out}")
if(bad)
  string(REPLACE ";" "\n" bad "${bad}")
  message(FATAL_ERROR "tests that differ between two runs with one seed:\n${bad}\n\n${out}")
endif()
string(REGEX MATCHALL "[^\n]*coroutine failure[^\n]*" broken "${out}")
if(broken)
  string(REPLACE ";" "\n" broken "${broken}")
  message(FATAL_ERROR "tests whose coroutines threw:\n${broken}")
endif()
message(STATUS "every test ran identically twice: ${summary}")
