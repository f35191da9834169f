#include "concbench/shared_memory.h"

#include <boost/interprocess/shared_memory_object.hpp>

namespace concbench {
namespace {

namespace bip = boost::interprocess;

bip::mapped_region CreateAndMap(const char* name, std::size_t bytes) {
  bip::shared_memory_object object(bip::create_only, name, bip::read_write);
  object.truncate(static_cast<bip::offset_t>(bytes == 0 ? 1 : bytes));
  return bip::mapped_region(object, bip::read_write);
}

}  // namespace

SharedSegment::SharedSegment(std::size_t bytes)
    : name_(NameKind::kSharedMemory),
      region_(CreateAndMap(name_.c_str(), bytes)) {}

}  // namespace concbench
