// Every command at once, for the interactions the focused suites do not reach.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(Everything, AgreeWithTheModel, ()) {
  check_sequence(EverythingCommands{}, kEverythingProfile);
}

}  // namespace alligator::properties
