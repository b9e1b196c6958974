// The fuzzers' one decoder: bytes -> a trace (trace.hpp), so whatever an engine feeds the
// harness runs through the executor's checks, and a finding is already a trace.
//
// Byte layout (every read past the end yields 0; decoding stops at the end of the input or
// after kMaxOperations operations):
//   header     1 byte: < 248 picks a memory maximum (256 KiB to 32 MiB), else a u32 literal
//              follows (kept within 64 KiB .. 32 MiB: a bigger memory only makes steps slower)
//   operation  1 byte: kOperationTable[byte % 32], then its arguments:
//     size        1 selector byte s, kind s % 8 (see read_size): a u32 literal, a tiny size, a
//                 size-class edge, the small/large boundary, a medium span, a wasm-page edge, a
//                 multi-MiB block, or SIZE_MAX-relative
//     count       (calloc's) 1 byte c: c < 192 -> c % 64 + 1 elements, else a size follows
//     alignment   1 byte a, a % 32: 0..16 -> 1 << k (up to 64 KiB), 17..19 huge powers of two,
//                 20..27 invalid alignments, 28..31 a u64 literal
//     block       1 byte r (255: a u16 follows): the r-th most recent id made, so a reference
//                 is almost always a block that exists
// Ids are handed out in order (b1, b2, ...). encode() writes the literal forms, so a trace
// encodes to bytes that decode to the same operations (ids renumbered in order of creation):
// that is how properties/traces/ seeds the corpus.
#pragma once

#include <alligator/properties/trace.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace alligator::properties::fuzz {

inline constexpr std::size_t kMaxOperations = 256;

Trace decode(const std::uint8_t* data, std::size_t size);
std::vector<std::uint8_t> encode(const Trace& trace);

}  // namespace alligator::properties::fuzz
