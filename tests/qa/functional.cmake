# The functional suite in the simulator (tests/qa/functional_test.cpp): a
# ctest case per ExaBGP encoding test against the floor in
# exabgp_encoding_expected_pass.txt, one per test of ours in qa/encoding, and
# the test peer's unit tests.
add_executable(qa_functional_tests ${CMAKE_CURRENT_LIST_DIR}/functional_test.cpp
                                   ${CMAKE_CURRENT_LIST_DIR}/test_peer_test.cpp
                                   ${CMAKE_CURRENT_LIST_DIR}/conform_test.cpp)
target_link_libraries(qa_functional_tests PRIVATE bgpsim_qa_functional bgpsim_conform GTest::gtest_main bgpsim_warnings)
target_compile_definitions(qa_functional_tests PRIVATE BGPSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(qa_functional_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS qa)
