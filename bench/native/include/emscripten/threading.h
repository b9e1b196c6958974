/* Stand-in for <emscripten/threading.h> (see ../emscripten.h): single-threaded, nothing needed. */
#pragma once
