// A heap error on a worker thread of a -pthread wasm program: the default diagnosis must print
// and abort, as on the main thread. (write() on a worker is proxied to the main thread, and
// Emscripten's first proxied call mallocs its queue: under the heap's lock, that hung.)
#include <cstdio>
#include <cstdlib>
#include <pthread.h>

namespace {
void* free_twice(void*) {
  void* volatile block = std::malloc(1000);
  std::free(block);
  std::free(block);
  std::printf("FAIL: the second free returned\n");
  return nullptr;
}
}  // namespace

int main() {
  std::printf("worker_diagnosis: a worker frees a block twice\n");
  std::fflush(stdout);
  pthread_t worker;
  if (pthread_create(&worker, nullptr, free_twice, nullptr) != 0) return 2;
  pthread_join(worker, nullptr);
  std::printf("FAIL: the worker ended\n");
  return 1;
}
