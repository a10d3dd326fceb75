# Writes OUT (a header defining BGPSIM_GIT_COMMIT) from `git describe` of SRC,
# touching it only when the commit changed, so a new commit rebuilds only the
# files that include it (tools/cli/check.cpp prints it in every failure line).
execute_process(COMMAND git -C ${SRC} describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
set(text "#define BGPSIM_GIT_COMMIT \"${commit}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
