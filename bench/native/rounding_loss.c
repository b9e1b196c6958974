/* Rounding loss of the process heap on sizes uniform in [LO, HI]: 20,000 blocks kept live, then
 * the sum of their usable sizes and the heap's whole footprint (wasm pages, metadata and partly
 * filled MiniPages included), each over the bytes requested. Native, against the host build:
 *
 *   gcc -O2 -Iallocator/include bench/native/rounding_loss.c out/host/allocator/liballigator.a \
 *       -lstdc++ -o out/rounding_loss && out/rounding_loss 2048 65536
 *
 * (allocator/README.md, "Size classes": the medium classes aim at under 3% on 2-64 KiB.) */
#include <alligator/alligator.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: rounding_loss LO HI\n");
    return 2;
  }
  size_t low = strtoul(argv[1], NULL, 10), high = strtoul(argv[2], NULL, 10), blocks = 20000;
  double requested = 0, usable = 0;
  for (size_t i = 0; i < blocks; ++i) {
    size_t size = low + next_random() % (high - low + 1);
    void* block = malloc(size);
    if (block == NULL) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    requested += (double)size;
    usable += (double)malloc_usable_size(block);
  }
  struct alligator_stats stats;
  alligator_get_stats(&stats);
  printf("[%zu, %zu]: usable / requested %.4f, heap / requested %.4f (%zu blocks, %.1f MB)\n", low,
         high, usable / requested, (double)stats.wasm_pages * 65536.0 / requested, blocks,
         requested / 1e6);
  return 0;
}
