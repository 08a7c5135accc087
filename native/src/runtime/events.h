// The one-way street from worker threads to the JS thread.
//
// Context threads (and the runtime and interrupter threads) push Events; the JS
// thread takes them a turn's worth at a time (Engine::Dispatch bounds each turn, so a
// flood of output never holds the extension host's event loop for long). Only the
// transition from idle to pending wakes the JS thread, so a burst of thousands of
// completions costs a single threadsafe-function call. Output is coalesced per call and bounded:
// a writer that gets too far ahead of the JS thread waits (with the GIL
// released) instead of growing memory without limit.
#pragma once
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "convert/value.h"

namespace pyc {

class CompletionSpin;

enum class EventKind : uint8_t {
  Result = 0,
  Error = 1,
  Stdout = 2,
  Stderr = 3,
  Display = 4,
  Input = 5,
  // Output of a thread whose run has ended: value = {process, text}, call = 0. JS hands it
  // to the process (the document's output), since no call is left to carry it.
  BackgroundStdout = 6,
  BackgroundStderr = 7,
  StateChanged = 8,  // call 0, no value: the shared state changed (runtime/state_store.h)
  HostCall = 9,      // call = host request id, value [name, args, kwargs, contextId] (runtime/host_calls.h)
  Control = 10,  // internal: runs `control` on the JS thread, never reaches JS as an event
  // call 0, no value: a turn's budget was used and events are still waiting. JS calls
  // engine.drain() on a later turn of its event loop (issue 17: bounded stalls).
  More = 11,
};

struct Event {
  uint32_t call = 0;
  EventKind kind = EventKind::Result;
  convert::Value value;
  std::function<void(Napi::Env)> control;  // Control events: run on the JS thread
};

class EventSink {
 public:
  // Called on the JS thread.
  void Open(napi_threadsafe_function tsfn);
  // Called on the JS thread (cleanup hook or shutdown); after it, Push drops events.
  void Close();

  // Any thread. Returns false if the sink is closed (event dropped).
  bool Push(Event&& e);
  // Output text for a call, coalesced with the previous chunk of the same stream.
  // Blocks (call with the GIL released) while too much output is waiting.
  bool PushOutput(uint32_t call, EventKind stream, const char* data, size_t len);
  // Background output of a process (no call), coalesced the same way.
  bool PushBackground(const std::string& process, EventKind stream, const char* data, size_t len);
  // Blocks until the JS side has drained enough output, or the sink closes.
  void WaitForRoom();
  bool OutputBacklogged();

  // JS thread: takes the oldest event. Returns false when none is left, and then the
  // next push wakes the JS thread again; while it returns true, the JS side owes a drain.
  bool Pop(Event& out);

  // JS thread (objects/completion_spin.h). While the JS thread spins, the idle-to-pending
  // transition hands the events to it instead of waking it through the threadsafe function:
  // BeginSpin returns false when events are already owed a dispatch (the loop will not sleep);
  // Handed() turns true at the first push meanwhile; EndSpin says whether the spinner now owes
  // the dispatch (it must then dispatch, as the threadsafe function's callback would).
  bool BeginSpin();
  bool Handed() const { return handed_.load(std::memory_order_acquire); }
  bool EndSpin();
  // JS thread: the engine's spin, while it lives; a submit arms it (Context::Submit).
  void SetSpin(CompletionSpin* spin) { spin_ = spin; }
  void ArmSpin();

  static constexpr size_t kMaxPendingOutput = 8 * 1024 * 1024;

 private:
  void WakeLocked();
  std::mutex m_;
  std::condition_variable room_;
  std::deque<Event> queue_;
  size_t pendingOutput_ = 0;
  bool scheduled_ = false;
  bool spinning_ = false;  // the JS thread spins (see BeginSpin)
  std::atomic<bool> handed_{false};
  CompletionSpin* spin_ = nullptr;  // JS thread only
  bool closed_ = true;
  napi_threadsafe_function tsfn_ = nullptr;
};

}  // namespace pyc
