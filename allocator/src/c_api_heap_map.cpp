// liballigator's heap map exports (alligator.h): the process heap drawn by heap_map.cpp. Apart
// from c_api.cpp so that a program that never draws its heap links none of the map's code or
// text (in wasm, its strings would take linear memory).
#include <alligator/alligator.h>
#include <alligator/global_heap.hpp>
#include <alligator/heap_map.hpp>

#include <cstdio>

#define ALLIGATOR_EXPORT extern "C" __attribute__((visibility("default")))

ALLIGATOR_EXPORT int alligator_write_heap_map_to(FILE* file) {
  return alligator::write_heap_map(alligator::global_heap(), file, "Alligator heap map") ? 0 : -1;
}

ALLIGATOR_EXPORT int alligator_write_heap_map(const char* path) {
  std::FILE* file = std::fopen(path, "w");
  if (file == nullptr) return -1;
  int result = alligator_write_heap_map_to(file);
  return std::fclose(file) == 0 ? result : -1;
}
