// Linked into every wasm build of scripts/bench (--pre-js). Emscripten takes the program's name
// from Node's argv[1], the script's absolute path, and startup code copies it into a malloc'd
// block with the environment strings ("_=<name>"). Its length then followed the checkout's path
// and the allocator's name, and the allocation sequence with it: Alligator's sqlite_memory moved
// by up to four pages between directories (2026-12-07). A fixed name keeps every run alike.
Module['thisProgram'] = './this.program';
