// Keeps the JS thread awake for a moment after it submits work, so the completion does not
// have to wake it from sleep.
//
// An awaited call crosses threads twice. The context thread polls for a while after each job,
// so back-to-back calls skip its wake-up; the other crossing is the completion waking Node's
// loop out of epoll_wait, which on a virtual CPU costs 10-12 us, as much as the rest of the call
// (bench/profile/NOTES.md). So after a loop turn that submitted work, just before libuv would
// block in poll (a uv_prepare_t), the JS thread spins for at most a short window. A completion
// (or any event) pushed meanwhile is handed to it instead of going through the threadsafe
// function (EventSink::BeginSpin), and it dispatches the events right there, in a callback scope
// of its own so promise continuations run as after any other callback. The JS stack is empty in
// a prepare callback, so nothing runs out of order; a miss leaves the events to the usual path.
//
// The spin ends as soon as anything is pushed, and it adapts: a spin that sees nothing within
// the window makes the next ones skip (doubling up to kMaxSkip), so a long call costs almost
// nothing. After its first microseconds it spins with sched_yield: the kernel often wakes the
// context thread onto the JS thread's CPU, or another process holds the other one, and a pure
// spin then keeps the context thread from running at all (an earlier experiment that spun a
// fixed window without yielding lost 3x on a loaded machine). No GIL, no lock is
// waited for: the JS thread still never waits on Python.
//
// GIL RULE: no Python here. JS thread only (Arm, Close, SetWindow and the prepare callback).
#pragma once
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "runtime/events.h"

namespace pyc {

class CompletionSpin {
 public:
  // `dispatch` runs the handed events on the JS thread (Engine::DispatchHanded).
  CompletionSpin(napi_env env, std::shared_ptr<EventSink> sink, std::function<void()> dispatch);
  ~CompletionSpin();
  // After a submit: spin once before this turn's poll.
  void Arm();
  // 0 turns spinning off (the bench's comparison); the default is kDefaultWindowUs.
  // Also clears the back-off, so a test or the bench starts from a known state.
  void SetWindow(uint32_t us);
  // Env teardown: stops and closes the handle; it frees itself once closed.
  void Close();

  struct Stats {
    uint64_t hits = 0;     // events came while spinning and were dispatched here
    uint64_t misses = 0;   // the window passed first
    uint64_t skipped = 0;  // armed, but backing off
    uint64_t spunNs = 0;   // time spent spinning, all spins
  };
  const Stats& stats() const { return stats_; }

  static constexpr uint32_t kDefaultWindowUs = 40;
  static constexpr uint32_t kMaxSkip = 64;

 private:
  static void OnPrepare(uv_prepare_t* handle);
  void Spin();

  std::shared_ptr<EventSink> sink_;
  std::function<void()> dispatch_;
  uv_prepare_t* handle_ = nullptr;
  // Started when a dispatch from the spin submits again (an awaited call's continuation calls
  // again): the prepare handle cannot run twice in one loop turn, so this makes the turn's poll
  // return at once (I/O and timers are still served) and the next turn's prepare spins.
  uv_idle_t* idle_ = nullptr;
  bool dispatching_ = false;
  uint64_t windowNs_ = uint64_t{kDefaultWindowUs} * 1000;
  bool armed_ = false;
  uint32_t backoff_ = 0;  // skips after the next miss / 2
  uint32_t skip_ = 0;     // armed turns still to skip
  Stats stats_;
};

}  // namespace pyc
