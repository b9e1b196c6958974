// Code that runs rarely is compiled for size: the span layer (large blocks, making and freeing
// MiniPages' slots), growth, the bitmap pool, retiring, error reports and introspection are most
// of the allocator's code and little of a program's time, and every program that links
// Alligator carries all of it. Clang's minsize is -Oz for the marked functions only; the small
// path keeps the build's -O2. Header helpers those functions call may then stay calls (the span
// bins' updates, for one): more calls, about the same instructions (README.md, code_size_o2,
// has the measurements). GCC builds (hosts) ignore the markers.
#pragma once

#if defined(__clang__)
// Every function defined between BEGIN and END.
#define ALLIGATOR_MINSIZE_BEGIN \
  _Pragma("clang attribute push(__attribute__((minsize)), apply_to = function)")
#define ALLIGATOR_MINSIZE_END _Pragma("clang attribute pop")
// One function.
#define ALLIGATOR_MINSIZE __attribute__((minsize))
#else
#define ALLIGATOR_MINSIZE_BEGIN
#define ALLIGATOR_MINSIZE_END
#define ALLIGATOR_MINSIZE
#endif
