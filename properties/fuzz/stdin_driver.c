/* alligator_stdin_driver: an operation stream on stdin, run on liballigatorc.so, in the style
 * of HangOver's allocator harness: the C library exactly as a user's program or tool sees it
 * (no model; the checks are the C contract, the blocks' contents and alligator_validate()).
 * AFL++ drives it with `afl-fuzz ... -- alligator_stdin_driver` (no @@: input on stdin).
 *
 * Stream: records until end of input, each `op slot args`, sizes little-endian:
 *   op % 8:  0 malloc SIZE3   1 calloc COUNT2 SIZE2   2 realloc SIZE3   3 free
 *            4 aligned_alloc SHIFT SIZE3   5 posix_memalign SHIFT SIZE3   6 memalign SHIFT SIZE3
 *            7 check (malloc_usable_size and alligator_validate())
 *   slot % 64 names one of 64 blocks; an allocation into a used slot frees its block first.
 *   SIZE3 is 3 bytes (0..16 MiB), SHIFT % 18 is the alignment's log2 (17: an invalid 24).
 * Every block is filled with its slot's byte, checked before it is freed or reallocated and at
 * the end; a broken check prints what broke and aborts (a crash to the fuzzer).
 */
#define _POSIX_C_SOURCE 200809L  /* posix_memalign under -std=c11 */
#include <alligator/alligator.h>

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kSlots = 64 };

struct Block {
  unsigned char* pointer;
  size_t size;
};

static struct Block blocks[kSlots];

static void fail(const char* what, unsigned slot) {
  fprintf(stderr, "alligator_stdin_driver: %s (slot %u)\n", what, slot);
  abort();
}

static int next_byte(void) { return getchar(); }

static size_t little(int bytes) {
  size_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    int c = next_byte();
    value |= (size_t)(c == EOF ? 0 : c) << (8 * i);
  }
  return value;
}

static void check_contents(unsigned slot) {
  const struct Block* block = &blocks[slot];
  for (size_t i = 0; i < block->size; ++i) {
    if (block->pointer[i] != (unsigned char)(slot + 1)) fail("a block's contents changed", slot);
  }
}

static void release(unsigned slot) {
  if (!blocks[slot].pointer) return;
  check_contents(slot);
  free(blocks[slot].pointer);
  blocks[slot].pointer = NULL;
}

static void admit(unsigned slot, void* pointer, size_t size, size_t alignment) {
  if (!pointer) return;
  if ((uintptr_t)pointer % alignment != 0) fail("a block is not aligned as asked", slot);
  if (malloc_usable_size(pointer) < size) fail("usable size below the request", slot);
  memset(pointer, slot + 1, size);
  blocks[slot].pointer = pointer;
  blocks[slot].size = size;
}

static void validate(unsigned slot) {
  char message[256];
  if (alligator_validate(message, sizeof message) != 0) fail(message, slot);
}

int main(void) {
  int op;
  while ((op = next_byte()) != EOF) {
    const unsigned slot = (unsigned)next_byte() % kSlots;
    switch (op % 8) {
      case 0: {
        size_t size = little(3);
        release(slot);
        admit(slot, malloc(size), size, 1);
        break;
      }
      case 1: {
        size_t count = little(2), size = little(2);
        release(slot);
        unsigned char* pointer = calloc(count, size);
        for (size_t i = 0; pointer && i < count * size; ++i) {
          if (pointer[i] != 0) fail("calloc's block is not zero", slot);
        }
        admit(slot, pointer, count * size, 1);
        break;
      }
      case 2: {
        size_t size = little(3);
        struct Block* block = &blocks[slot];
        if (block->pointer) check_contents(slot);
        errno = 0;
        unsigned char* pointer = realloc(block->pointer, size);
        if (!pointer) {
          if (size != 0 && errno != ENOMEM) fail("realloc returned NULL without ENOMEM", slot);
          if (size == 0) block->pointer = NULL;  /* realloc(p, 0) frees */
          break;
        }
        size_t kept = block->pointer && block->size < size ? block->size : size;
        if (!block->pointer) kept = 0;
        for (size_t i = 0; i < kept; ++i) {
          if (pointer[i] != (unsigned char)(slot + 1)) fail("realloc lost contents", slot);
        }
        block->pointer = NULL;
        admit(slot, pointer, size, 1);
        break;
      }
      case 3: release(slot); break;
      case 4:
      case 5:
      case 6: {
        const unsigned shift = (unsigned)next_byte() % 18;
        const size_t alignment = shift == 17 ? 24 : (size_t)1 << shift;
        const size_t size = little(3);
        release(slot);
        void* pointer = NULL;
        errno = 0;
        if (op % 8 == 4) {
          pointer = aligned_alloc(alignment, size);
        } else if (op % 8 == 5) {
          int code = posix_memalign(&pointer, alignment, size);
          if (code != 0) pointer = NULL;
          if (code == 0 && !pointer && size != 0) fail("posix_memalign: 0 without a block", slot);
        } else {
          pointer = memalign(alignment, size);
        }
        if (shift == 17 && pointer) fail("an invalid alignment gave a block", slot);
        admit(slot, pointer, size, shift == 17 ? 1 : alignment);
        break;
      }
      default:
        if (blocks[slot].pointer && malloc_usable_size(blocks[slot].pointer) < blocks[slot].size) {
          fail("usable size shrank", slot);
        }
        validate(slot);
        break;
    }
  }
  for (unsigned slot = 0; slot < kSlots; ++slot) release(slot);
  validate(0);
  return 0;
}
