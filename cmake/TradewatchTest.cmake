# tradewatch_add_test(NAME name SOURCES a_test.cc ... DEPS tradewatch::ingest ... LABELS unit)
#
# Builds one GoogleTest executable and registers each of its tests with ctest, labelled, with the
# repository root as working directory (so ../shared/data resolves as it does for users).
function(tradewatch_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} tradewatch::options GTest::gtest GTest::gmock
                                          GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
    TRADEWATCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TRADEWATCH_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${T_NAME}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
