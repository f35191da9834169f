// Every bank primitive, in the order reports list them. A new primitive is a
// row of the traits table (traits.h), a class with the members Bank expects
// (see bank.h) and one entry here.
#pragma once

#include <tuple>

#include "bank/atomics.h"
#include "bank/ipc_locks.h"
#include "bank/thread_locks.h"

namespace concbench::bank {

using Primitives =
    std::tuple<None, StdMutex, Spinlock, Atomic, TbbSpinMutex, TbbQueuingMutex,
               IpcMutex, IpcSemaphore, PosixNamedSemaphore, ShmAtomic>;

}  // namespace concbench::bank
