// Prefetch hints for what completing or cancelling an Asio operation touches.
// With thousands of sessions those lines are cold; code that knows an
// operation will complete soon (the simulator's event queue, a peer's timer
// loop) asks for them ahead. Hints only: nothing is read or changed.
#pragma once

#include <boost/asio/cancellation_signal.hpp>

#include <bit>
#include <type_traits>

namespace bgpsim::runtime {

// The lines cancellation_slot::clear() reads: the signal's handler pointer
// (a slot is one pointer to it, Asio 1.81, pinned in CMakeLists.txt) and the
// handler installed there (its address as emplace/assign returned it).
inline void prefetch_cancellation(const boost::asio::cancellation_slot& slot,
                                  const void* installed) {
  static_assert(sizeof(slot) == sizeof(void*) &&
                std::is_trivially_copyable_v<boost::asio::cancellation_slot>);
  __builtin_prefetch(std::bit_cast<const void*>(slot));
  __builtin_prefetch(installed);
}

}  // namespace bgpsim::runtime
