# Two shards of one sweep of generated scenarios (--jobs 2), merged: every
# seed once, none failed; merging a shard with itself is an error.
foreach(k 0 1)
  execute_process(COMMAND ${BGPSIM} check --generated 20 --seeds 20 --jobs 2 --shard ${k}/2
                          --json ${WORK}/shard${k}.json --no-progress
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "shard ${k}/2 failed (${rc}):\n${out}")
  endif()
endforeach()
execute_process(COMMAND ${BGPSIM} check --merge ${WORK}/shard0.json ${WORK}/shard1.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "2 files, 20 seeds, 0 failed")
  message(FATAL_ERROR "merge (${rc}): ${out}")
endif()
execute_process(COMMAND ${BGPSIM} check --merge ${WORK}/shard0.json ${WORK}/shard0.json
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "seed 1 also in")
  message(FATAL_ERROR "merging a shard with itself passed (${rc}): ${err}")
endif()
