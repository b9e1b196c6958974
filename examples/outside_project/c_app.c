/* A C program whose malloc is Alligator's: it links only alligator::alligator (liballigator.a,
 * plus -sMALLOC=none on Emscripten). Prints Alligator's stats while its blocks are live. */
#include <alligator/alligator.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  enum { kBlocks = 100 };
  char* blocks[kBlocks];
  for (int i = 0; i < kBlocks; ++i) {
    blocks[i] = malloc((size_t)(i * 37 + 1));
    if (blocks[i] == NULL) return 1;
    memset(blocks[i], i, (size_t)(i * 37 + 1));
  }
  struct alligator_stats stats;
  alligator_get_stats(&stats);
  printf("c_app: alligator live blocks %zu, bytes in use %zu, wasm pages %zu\n",
         stats.live_blocks, stats.bytes_in_use, stats.wasm_pages);
  int ok = stats.live_blocks >= kBlocks;
  for (int i = 0; i < kBlocks; ++i) free(blocks[i]);
  alligator_get_stats(&stats);
  ok = ok && alligator_validate(NULL, 0) == 0;
  printf("c_app: %s\n", ok ? "served by Alligator" : "NOT served by Alligator");
  return ok ? 0 : 1;
}
