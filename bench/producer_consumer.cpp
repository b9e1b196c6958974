// producer_consumer: blocks freed in another order than allocated, by another part of the
// program, as in a message pipeline.
//
// A producer allocates messages (a header and a payload: 70% 16..256 bytes, 25% 257..4096, 5%
// 4097..65536), fills them and routes each to one of 8 queues by a random key, in bursts of
// 1..2000 messages. A consumer, in bursts of its own, picks a random non-empty queue and drains
// 1..64 messages from it: it checks each payload's checksum and frees the message; one message
// in four is answered with a new, smaller message put on the next queue (allocated by the
// consumer, freed later by the consumer of that queue). The producer stops producing while
// 20,000 messages wait and the consumer waits until 1,000 do, so the backlog swings between the
// two and a block's lifetime and freeing order depend on which queue it went to.
//
// RESULT: messages produced and consumed per microsecond (higher is better).
// CHECK:  the sum of the consumed payloads' checksums.
#include "common.hpp"

#include <cstdlib>

namespace {

constexpr std::uint32_t kQueues = 8;
constexpr std::uint32_t kCapacity = 1 << 16;  // per queue: more than the backlog can reach
constexpr std::uint32_t kHighWater = 20000;
constexpr std::uint32_t kLowWater = 1000;

struct Message {
  std::uint32_t size;  // payload bytes
  std::uint32_t checksum;
  unsigned char payload[];
};

struct Queue {
  Message* items[kCapacity];
  std::uint32_t head = 0, tail = 0;
  std::uint32_t size() const { return tail - head; }
  void push(Message* message) { items[tail++ % kCapacity] = message; }
  Message* pop() { return items[head++ % kCapacity]; }
};

Queue queues[kQueues];
std::uint32_t waiting = 0;
std::uint64_t messages = 0;
std::uint64_t digest = 0;

std::uint32_t payload_size(Rng& rng) {
  std::uint32_t pick = rng.next32() % 100;
  if (pick < 70) return rng.range(16, 256);
  if (pick < 95) return rng.range(257, 4096);
  return rng.range(4097, 65536);
}

Message* make(std::uint32_t size, std::uint32_t seed) {
  auto* message = static_cast<Message*>(std::malloc(sizeof(Message) + size));
  if (message == nullptr) out_of_memory("malloc");
  check_alignment(message, natural_alignment(sizeof(Message) + size));
  message->size = size;
  std::uint32_t checksum = 0;
  // One byte per 64-byte line is written (a real producer writes them all; this keeps the time
  // on the allocator's side without leaving the payload untouched).
  for (std::uint32_t i = 0; i < size; i += 64) {
    auto byte = static_cast<unsigned char>(seed + i);
    message->payload[i] = byte;
    checksum = checksum * 31 + byte;
  }
  message->checksum = checksum;
  ++messages;
  ++waiting;
  return message;
}

std::uint32_t consume(Message* message) {
  std::uint32_t checksum = 0;
  for (std::uint32_t i = 0; i < message->size; i += 64) {
    checksum = checksum * 31 + message->payload[i];
  }
  if (checksum != message->checksum) corrupt("message payload changed", message);
  std::free(message);
  ++messages;
  --waiting;
  return checksum;
}

void produce(Rng& rng) {
  for (std::uint32_t n = rng.range(1, 2000); n > 0 && waiting < kHighWater; --n) {
    queues[rng.next32() % kQueues].push(make(payload_size(rng), rng.next32()));
  }
}

void consume_burst(Rng& rng) {
  std::uint32_t start = rng.next32() % kQueues;
  for (std::uint32_t k = 0; k < kQueues; ++k) {
    std::uint32_t index = (start + k) % kQueues;
    Queue& queue = queues[index];
    if (queue.size() == 0) continue;
    for (std::uint32_t n = rng.range(1, 64); n > 0 && queue.size() > 0; --n) {
      Message* message = queue.pop();
      std::uint32_t reply = message->size / 4;
      digest += consume(message);
      if (rng.next32() % 4 == 0) {
        queues[(index + 1) % kQueues].push(make(reply + 16, rng.next32()));
      }
    }
    return;
  }
}

void run(Rng& rng, std::uint64_t rounds) {
  for (std::uint64_t i = 0; i < rounds; ++i) {
    produce(rng);
    for (std::uint32_t n = rng.range(1, 80); n > 0 && waiting > kLowWater; --n) consume_burst(rng);
  }
}

void drain() {
  for (Queue& queue : queues) {
    while (queue.size() > 0) digest += consume(queue.pop());
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  std::uint64_t rounds = full ? 800 : 150;
  Rng rng(0x5EED0013);
  run(rng, rounds / 10);  // warm-up
  std::uint64_t before = messages;
  double start = now_us();
  run(rng, rounds);
  drain();
  double elapsed = now_us() - start;
  print_result(static_cast<double>(messages - before) / elapsed, digest);
  return 0;
}
