// containers: standard containers over the allocator, as ordinary C++ code uses them.
//
// A std::map<std::string, std::vector<int>> of up to 4096 keys (each key ~20 characters, so
// beyond libc++'s short-string buffer), and a ring of 512 built strings. Each operation draws a
// random key and one of:
//   4 in 10  insert / append: map[key].push_back(value)   (node, key string, vector growth)
//   2 in 10  lookup: map.find(key), sum the vector
//   1 in 10  erase: map.erase(key)                         (frees node, key, vector)
//   3 in 10  string building: concatenate 1..12 pieces, store in the ring (freeing the old one)
//
// RESULT: operations per second (higher is better).
#include "common.hpp"

#include <map>
#include <string>
#include <vector>

namespace {

constexpr std::uint32_t kKeys = 4096;
constexpr std::size_t kRing = 512;

std::string make_key(std::uint32_t number) {
  std::string key = "container-key-";
  key += std::to_string(number);
  key += '/';
  key += std::to_string(number * 2654435761u % 1000);
  return key;
}

std::uint64_t run(Rng& rng, std::uint64_t operations) {
  std::map<std::string, std::vector<int>> map;
  std::vector<std::string> ring(kRing);
  std::uint64_t digest = 0;
  for (std::uint64_t i = 0; i < operations; ++i) {
    std::uint32_t number = rng.next32() % kKeys;
    std::uint32_t choice = rng.next32() % 10;
    std::string key = make_key(number);
    if (choice < 4) {
      map[key].push_back(static_cast<int>(i & 0xFFFF));
    } else if (choice < 6) {
      auto found = map.find(key);
      if (found != map.end()) {
        for (int value : found->second) digest += static_cast<std::uint64_t>(value);
      }
    } else if (choice < 7) {
      digest += map.erase(key);
    } else {
      std::string built;
      std::uint32_t pieces = rng.range(1, 12);
      for (std::uint32_t piece = 0; piece < pieces; ++piece) {
        built += key;
        built += ':';
        built += std::to_string(piece * number);
      }
      digest += built.size();
      ring[i % kRing] = std::move(built);
    }
  }
  for (const auto& [key, values] : map) digest += key.size() * 31 + values.size();
  for (const std::string& built : ring) digest += built.size();
  return digest;
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  std::uint64_t operations = full ? 2000000 : 300000;
  report_new_failures();
  Rng rng(0x5EED0003);
  run(rng, operations / 10);  // warm-up: JIT tier-up
  double start = now_us();
  std::uint64_t digest = run(rng, operations);
  double elapsed = now_us() - start;
  print_result(static_cast<double>(operations) / (elapsed / 1e6), digest);
  return 0;
}
