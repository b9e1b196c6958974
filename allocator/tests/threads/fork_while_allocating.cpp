// fork() while other threads allocate (liballigatorc.so, hosts): each child must allocate, free
// and validate. A lock another thread held at the fork would stay held in the child, whose only
// thread is the one that forked, and the child would wait on it forever; here an alarm kills
// such a child after 5 s, which fails the test. The threads hold the heap's lock (large sizes)
// and their caches' locks (cached sizes); the child's validate takes every cache's lock.
#include <alligator/alligator.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

std::atomic<bool> stop{false};

// Half the slots hold sizes past the thread caches' classes (every call takes the heap's lock),
// half cached sizes of 16 to 511 bytes (pops and pushes under the thread's cache lock).
void churn(unsigned seed) {
  void* held[64] = {};
  unsigned state = seed;
  while (!stop.load(std::memory_order_relaxed)) {
    state = state * 1103515245u + 12345u;
    unsigned slot = (state >> 8) % 64;
    std::free(held[slot]);
    unsigned spread = (state >> 16) % 50000;
    held[slot] = std::malloc(slot % 2 == 0 ? 20000 + spread : 16 + spread % 496);
  }
  for (void* block : held) std::free(block);
}

[[noreturn]] void child() {
  alarm(5);
  void* blocks[16];
  for (int i = 0; i < 16; ++i) blocks[i] = std::malloc(i % 2 == 0 ? 24 : 40000);
  for (void* block : blocks) std::free(block);
  char message[256];
  _exit(alligator_validate(message, sizeof message) == 0 ? 0 : 3);
}

}  // namespace

int main() {
  constexpr int kForks = 200;
  std::vector<std::thread> threads;
  for (unsigned seed = 1; seed <= 2; ++seed) threads.emplace_back(churn, seed);
  int failures = 0;
  for (int round = 0; round < kForks && failures == 0; ++round) {
    pid_t pid = fork();
    if (pid == 0) child();
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
      std::printf("FAIL: fork %d could not be run\n", round);
      ++failures;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::printf("FAIL: the child of fork %d %s %d\n", round,
                  WIFSIGNALED(status) ? "died of signal" : "exited with",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
      ++failures;
    }
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();
  if (failures != 0) return 1;
  std::printf("fork_while_allocating: passed (%d forks)\n", kForks);
  return 0;
}
