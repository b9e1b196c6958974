# wasm32 with Debian's Emscripten 3.1.6 (its quirks explain each setting below).
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

# emcc's JS optimizer (run when linking at -O2 and above) needs Debian's acorn, found only
# through NODE_PATH: the machine's Node is not Debian's. The wasm preset and the scripts set it;
# the configure step and every link get it here too, so `cmake --build out/wasm` works from any
# shell.
set(ALLIGATOR_NODE_PATH /usr/share/nodejs)
set(ENV{NODE_PATH} ${ALLIGATOR_NODE_PATH})
set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=${ALLIGATOR_NODE_PATH})
set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=${ALLIGATOR_NODE_PATH})

# Every program: memory may grow (the default 16 MiB cannot), exit codes reach the shell, and
# the module compiles synchronously, so `node prog.js` runs it (Node 20's fetch otherwise makes
# the loader try to fetch the .wasm by path: "Failed to parse URL").
set(CMAKE_EXE_LINKER_FLAGS_INIT "-sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -sWASM_ASYNC_COMPILATION=0")

# ctest runs wasm programs through Node.
find_program(ALLIGATOR_NODE node REQUIRED NO_CMAKE_FIND_ROOT_PATH)
set(CMAKE_CROSSCOMPILING_EMULATOR "${ALLIGATOR_NODE};--no-experimental-fetch")
