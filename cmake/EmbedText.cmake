# cmake -DINPUT=file -DOUTPUT=file.cc -DSYMBOL=kName -P EmbedText.cmake
# Writes a C++ source defining `const char* const tradewatch::tools::SYMBOL` with the file's text.
file(READ ${INPUT} CONTENT)
set(DELIM "tw_embed")
file(WRITE ${OUTPUT}
  "// Generated from ${INPUT}; do not edit.\n"
  "namespace tradewatch::tools {\n"
  "extern const char* const ${SYMBOL};\n"
  "const char* const ${SYMBOL} = R\"${DELIM}(${CONTENT})${DELIM}\";\n"
  "}  // namespace tradewatch::tools\n")
