// Checks on the error an action must end in (a round with a dead worker, a
// wait past its deadline): one place for the try / fail-if-it-succeeded /
// catch pattern.
#pragma once

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace concbench {

// Runs `action` and returns the message of the std::runtime_error it throws;
// records a test failure and returns "" when it throws none.
template <class Action>
std::string ErrorOf(Action&& action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error was thrown";
  return "";
}

// Runs `action`, which must throw a std::runtime_error whose message contains
// `expected`.
template <class Action>
void ExpectErrorContaining(Action&& action, std::string_view expected) {
  const std::string error = ErrorOf(action);
  EXPECT_NE(error.find(expected), std::string::npos)
      << "error '" << error << "' lacks '" << expected << "'";
}

}  // namespace concbench
