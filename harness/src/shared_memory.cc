#include "concbench/shared_memory.h"

#include <algorithm>
#include <boost/interprocess/shared_memory_object.hpp>

#include "create_only.h"
#include "shm_reserve.h"

namespace concbench {
namespace {

namespace bip = boost::interprocess;

// Reserve's step: growing a reservation costs a call, and the pages.
constexpr std::size_t kReserveStep = std::size_t{1} << 20;

// Sized, and its first `reserved` bytes allocated, before it is mapped.
bip::mapped_region CreateAndMap(OwnedName& name, std::size_t bytes,
                                std::size_t reserved) {
  bip::shared_memory_object object = internal::CreateOnly(name, [&] {
    return bip::shared_memory_object(bip::create_only, name.c_str(),
                                     bip::read_write);
  });
  object.truncate(static_cast<bip::offset_t>(bytes));
  internal::ReserveShared(object.get_mapping_handle().handle, name.str(), 0,
                          reserved);
  return bip::mapped_region(object, bip::read_write);
}

}  // namespace

SharedSegment::SharedSegment(std::size_t bytes,
                             std::optional<std::size_t> reserved)
    : name_(NameKind::kSharedMemory),
      region_(CreateAndMap(
          name_, std::max<std::size_t>(bytes, 1),
          std::min(reserved.value_or(bytes), std::max<std::size_t>(bytes, 1)))),
      reserved_(std::min(reserved.value_or(bytes), size())) {}

void SharedSegment::Reserve(std::size_t end) {
  if (end <= reserved_) return;
  const std::size_t to =
      std::min(size(), std::max(end, reserved_ + kReserveStep));
  internal::ReserveShared(name_.str(), reserved_, to - reserved_);
  reserved_ = to;
}

}  // namespace concbench
