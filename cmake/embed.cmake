# Turns a file into a C array, so that the library carries it (the shipped
# item catalogue, the web map's files): nothing to find at run time.
#   cmake -DIN=path -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
get_filename_component(base "${IN}" NAME)
file(WRITE "${OUT}" "/* Generated from ${base} by cmake/embed.cmake: do not edit. */\n#include <stddef.h>\n"
  "extern const unsigned char ${NAME}[];\nextern const size_t ${NAME}_size;\n"
  "const unsigned char ${NAME}[] = {${body}0};\nconst size_t ${NAME}_size = ${size};\n")
