// Every bank primitive, in the order reports list them. A new primitive is a
// class with the members Bank expects (see bank.h) and one line here.
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
