// validate()'s way of recording a problem: printf-style into a ValidationReport's fixed buffer,
// so nothing allocates (introspection.cpp, and the thread caches' check in thread_cache.cpp).
#pragma once

#include <alligator/introspection.hpp>

#include <cstdarg>
#include <cstdio>

namespace alligator::detail {

class Findings {
 public:
  explicit Findings(ValidationReport& report) : report_(report) {}
  // printf-style; formats into the report's fixed buffer, so nothing allocates.
  void operator()(const char* format, ...) {
    if (report_.problems < ValidationReport::kMaxMessages) {
      va_list arguments;
      va_start(arguments, format);
      std::vsnprintf(report_.messages[report_.problems], ValidationReport::kMessageLength, format,
                     arguments);
      va_end(arguments);
    }
    ++report_.problems;
  }

 private:
  ValidationReport& report_;
};

}  // namespace alligator::detail
