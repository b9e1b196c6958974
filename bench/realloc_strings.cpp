// realloc_strings: strings that grow by realloc, as C programs build text (a log line, a JSON
// document, a path) one piece at a time.
//
// 256 strings grow side by side. Each step picks a random string and appends a piece of 1..48
// bytes. Half of the strings call realloc for every piece with the exact new length (naive C);
// the other half double their capacity when it runs out (a string builder). A string that reaches
// its target length (80%: 32..1024 bytes, 18%: ..16 KiB, 2%: ..64 KiB) is checked against the
// checksum of what was appended and freed, and a new one starts in its slot.
//
// RESULT: appends per microsecond (higher is better).
// CHECK:  the sum of the finished strings' checksums.
#include "common.hpp"

#include <cstdlib>

namespace {

constexpr std::uint32_t kStrings = 256;

struct Growing {
  char* text = nullptr;
  std::uint32_t length = 0, capacity = 0, target = 0, checksum = 0;
  bool doubling = false;
};

Growing strings[kStrings];
std::uint64_t digest = 0;

std::uint32_t checksum_of(const char* text, std::uint32_t length) {
  std::uint32_t sum = 0;
  for (std::uint32_t i = 0; i < length; ++i) sum = sum * 31 + static_cast<unsigned char>(text[i]);
  return sum;
}

void start(Growing& s, Rng& rng) {
  std::uint32_t pick = rng.next32() % 100;
  s.target = pick < 80 ? rng.range(32, 1024) : pick < 98 ? rng.range(1025, 16384)
                                                         : rng.range(16385, 65536);
  s.doubling = rng.next32() % 2 == 0;
  s.capacity = s.doubling ? 16 : 1;
  s.text = static_cast<char*>(std::malloc(s.capacity));
  if (s.text == nullptr) out_of_memory("malloc");
  s.length = 0;
  s.checksum = 0;
  s.text[0] = '\0';
}

void finish(Growing& s) {
  if (checksum_of(s.text, s.length) != s.checksum || s.text[s.length] != '\0') {
    corrupt("string contents changed", s.text);
  }
  digest += s.checksum;
  std::free(s.text);
}

void append(Growing& s, Rng& rng) {
  std::uint32_t piece = rng.range(1, 48);
  std::uint32_t needed = s.length + piece + 1;
  if (needed > s.capacity) {
    std::uint32_t capacity = needed;
    if (s.doubling) {
      capacity = s.capacity;
      while (capacity < needed) capacity *= 2;
    }
    auto* grown = static_cast<char*>(std::realloc(s.text, capacity));
    if (grown == nullptr) out_of_memory("realloc");
    s.text = grown;
    s.capacity = capacity;
  }
  auto letter = static_cast<char>('a' + rng.next32() % 26);
  for (std::uint32_t i = 0; i < piece; ++i) {
    char c = static_cast<char>(letter + (i % 3));
    s.text[s.length++] = c;
    s.checksum = s.checksum * 31 + static_cast<unsigned char>(c);
  }
  s.text[s.length] = '\0';
}

void run(Rng& rng, std::uint64_t steps) {
  for (std::uint64_t i = 0; i < steps; ++i) {
    Growing& s = strings[rng.next32() % kStrings];
    append(s, rng);
    if (s.length >= s.target) {
      finish(s);
      start(s, rng);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  std::uint64_t steps = full ? 2500000 : 400000;
  Rng rng(0x5EED0014);
  for (Growing& s : strings) start(s, rng);
  run(rng, steps / 10);  // warm-up
  double start_time = now_us();
  run(rng, steps);
  double elapsed = now_us() - start_time;
  for (Growing& s : strings) finish(s);
  print_result(static_cast<double>(steps) / elapsed, digest);
  return 0;
}
