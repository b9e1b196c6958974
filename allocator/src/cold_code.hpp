// Code that runs rarely is compiled for size: span bookkeeping, growth, the bitmap pool,
// retiring, error reports and introspection are most of the allocator's code and little of any
// program's time, and every program that links Alligator carries all of it. Clang's minsize is
// -Oz for the marked functions only; the small path keeps the build's -O2, and the header
// functions the marked ones call (records, bins) still inline. In wasm this took 1,955 bytes off
// bench/code_size.cpp at -O2 and left the exact instruction counts of every benchmark workload
// within 0.05% (README.md, code_size_o2). GCC builds (hosts) ignore the markers.
#pragma once

#if defined(__clang__)
// Every function defined between BEGIN and END.
#define ALLIGATOR_COLD_CODE_BEGIN \
  _Pragma("clang attribute push(__attribute__((minsize)), apply_to = function)")
#define ALLIGATOR_COLD_CODE_END _Pragma("clang attribute pop")
// One function.
#define ALLIGATOR_COLD __attribute__((minsize))
#else
#define ALLIGATOR_COLD_CODE_BEGIN
#define ALLIGATOR_COLD_CODE_END
#define ALLIGATOR_COLD
#endif
