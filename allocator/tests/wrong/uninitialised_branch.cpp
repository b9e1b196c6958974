// Branches on a byte of a fresh block that nobody wrote. memcheck: "Conditional jump or move
// depends on uninitialised value(s)", the value "created by a heap allocation" (--track-origins).
#include "wrong.hpp"

int main() {
  unsigned char* block = wrong::alligator_malloc(16);
  block[0] = 1;
  int status = 0;
  if (block[3] == 42) status = 1;  // the error
  std::free(block);
  return status;
}
