# A short realloc copy: a block that moves keeps one byte fewer than min(old usable, new size),
# so its last kept byte is whatever the new block held before.
# Caught by the executor's realloc check: the moved block must hold the old block's first
# min(old usable, new size) bytes. Nothing else can see it: the heap's records are all right.
set(MUTANT_EXPECT realloc_copy)
set(MUTANT_SUITE Reallocation)
set(MUTANT_FILE src/heap_core.cpp)
set(MUTANT_ORIGINAL [==[
  std::memcpy(moved, pointer, block.usable < new_size ? block.usable : new_size);
]==])
set(MUTANT_REPLACEMENT [==[
  std::memcpy(moved, pointer, (block.usable < new_size ? block.usable : new_size) - 1);
]==])
