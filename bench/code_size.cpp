// code_size: a small program that uses the allocator in the usual ways (malloc, calloc, realloc,
// free, new, delete). bench.py builds it with each allocator at -O2 and at -Oz and reports the
// size of its .wasm minus the size with the bump allocator: the allocator's own code and data.
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  (void)argv;
  auto* numbers = static_cast<int*>(std::malloc(sizeof(int) * 16 * argc));
  auto* zeros = static_cast<int*>(std::calloc(static_cast<std::size_t>(argc), 64));
  numbers = static_cast<int*>(std::realloc(numbers, sizeof(int) * 4096 * argc));
  int* array = new int[static_cast<std::size_t>(argc) * 10];
  auto* single = new double(argc);
  numbers[0] = argc;
  array[0] = zeros[0] + 2;
  std::printf("%d\n", numbers[0] + array[0] + static_cast<int>(*single));
  delete single;
  delete[] array;
  std::free(zeros);
  std::free(numbers);
  return 0;
}
