# Determinism across processes: `bgpsim sim` (the two-speaker scenario,
# reload, reset and partition) runs twice, in two separate processes, and the
# two trace hashes must be equal; then the hash must equal the one pinned in
# PINNED (two_speakers_seed42.hash), so a change of schedule cannot go unseen.
#
# A change meant to alter the schedule (timers, segment sizes, jitter, the
# order of messages) updates the pin with this one command, and its commit
# message says why the schedule changed:
#
#   build/dev/tools/bgpsim sim --seed 42 --routes 2000 | grep '^seed ' > tests/reactor/two_speakers_seed42.hash
#
# Run by ctest (sim_two_processes) as
#   cmake -DBGPSIM=path/to/bgpsim -DPINNED=path/to/file -P sim_two_processes.cmake
foreach(var BGPSIM PINNED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "sim_two_processes.cmake: -D${var}=... is required")
  endif()
endforeach()

file(STRINGS ${PINNED} pinned_line REGEX "^seed ")
if(NOT pinned_line MATCHES "^seed ([0-9]+) trace hash ([0-9a-f]+)$")
  message(FATAL_ERROR "${PINNED}: no line 'seed N trace hash H' (got '${pinned_line}')")
endif()
set(seed ${CMAKE_MATCH_1})
set(pinned_hash ${CMAKE_MATCH_2})

set(hashes)
foreach(run 1 2)
  set(cmd ${BGPSIM} sim --seed ${seed} --routes 2000)
  execute_process(COMMAND ${cmd} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  string(REPLACE ";" " " cmd_text "${cmd}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run}: `${cmd_text}` exited ${rc}\n${out}${err}")
  endif()
  if(NOT out MATCHES "seed ${seed} trace hash ([0-9a-f]+)")
    message(FATAL_ERROR "run ${run}: `${cmd_text}` printed no trace hash\n${out}")
  endif()
  list(APPEND hashes ${CMAKE_MATCH_1})
  message(STATUS "process ${run}: seed ${seed} trace hash ${CMAKE_MATCH_1}")
endforeach()

list(GET hashes 0 first)
list(GET hashes 1 second)
if(NOT first STREQUAL second)
  message(FATAL_ERROR "not deterministic across processes: seed ${seed} gave ${first} then ${second}")
endif()
if(NOT first STREQUAL pinned_hash)
  message(FATAL_ERROR "seed ${seed} trace hash ${first} differs from the pinned ${pinned_hash} "
                      "(${PINNED}). If the schedule was meant to change, update the pin:\n"
                      "  bgpsim sim --seed ${seed} --routes 2000 | grep '^seed ' > ${PINNED}\n"
                      "and say why in the commit message.")
endif()
message(STATUS "deterministic across processes and equal to the pin: ${first}")
