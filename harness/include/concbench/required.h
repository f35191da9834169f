// A fact every entry of a traits table (map variants, channels, ...) must
// state.
#pragma once

#include <type_traits>

namespace concbench {

// It has no default constructor, so an entry that leaves a trait out does
// not compile.
template <class T>
struct Required {
  constexpr Required(T value) : value(value) {}  // NOLINT: implicit on purpose
  constexpr operator T() const { return value; }
  T value;
};
static_assert(!std::is_default_constructible_v<Required<bool>>);

}  // namespace concbench
