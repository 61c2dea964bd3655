# tradewatch_options: the compile options every tradewatch target links against. Generated code
# (protobuf) does not link it, so its warnings never fail the build.
add_library(tradewatch_options INTERFACE)
add_library(tradewatch::options ALIAS tradewatch_options)
target_compile_options(tradewatch_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(TRADEWATCH_WERROR)
  target_compile_options(tradewatch_options INTERFACE -Werror)
endif()
target_include_directories(tradewatch_options INTERFACE ${PROJECT_SOURCE_DIR})
