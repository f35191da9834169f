// Creating a named Boost.Interprocess object under an OwnedName without ever
// removing what another process created. Internal to the harness.
#pragma once

#include <boost/interprocess/exceptions.hpp>
#include <utility>

#include "concbench/cleanup.h"

namespace concbench::internal {

// Returns `create()`, a create_only construction under `name`. When the name
// was taken already, forgets it before rethrowing: the object is someone
// else's, and `name` must not remove it.
template <class F>
auto CreateOnly(OwnedName& name, F&& create) {
  try {
    return std::forward<F>(create)();
  } catch (const boost::interprocess::interprocess_exception& error) {
    if (error.get_error_code() == boost::interprocess::already_exists_error)
      name.release();
    throw;
  }
}

}  // namespace concbench::internal
