// NativeWait: where a context thread waits without the GIL for something other than
// its next job: the JS reply to input(), or the end of an interruptible time.sleep().
// An interrupt or a stop wakes it directly, so no async exception is needed (and none
// lingers afterwards).
//
// GIL RULE: the context thread calls Expect/WaitForReply/Sleep and must have released
// the GIL around the two waits (native_module.cpp does, with GilRelease). Reply,
// InterruptIfWaiting and Stop come from the JS or interrupter thread. Everything here is
// guarded by the object's own mutex, never by the GIL.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "convert/value.h"

namespace pyc {

class NativeWait {
 public:
  // Context thread. Arms the reply slot; must happen before the request event is posted,
  // or a fast JS reply could arrive before anyone waits for it and be lost.
  void Expect(uint32_t call) {
    std::lock_guard<std::mutex> lock(mutex_);
    replyCall_ = call;
    replyReady_ = false;
    replyEof_ = false;
    reply_.reset();
  }

  // Context thread, GIL released. nullopt: interrupted, stopped, or cancelled by the user.
  std::optional<convert::Value> WaitForReply(uint32_t call, bool& eof) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (replyCall_ != call) return std::nullopt;
    waiting_ = true;
    interrupted_ = false;
    wake_.wait(lock, [&] { return replyReady_ || interrupted_ || stopping_; });
    waiting_ = false;
    replyCall_ = 0;
    eof = replyEof_;
    if (!replyReady_) return std::nullopt;
    replyReady_ = false;
    if (!reply_) return std::nullopt;
    return std::move(reply_);
  }

  // Context thread, GIL released. False if interrupted or stopped before `seconds` passed.
  bool Sleep(double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_ = true;
    interrupted_ = false;
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
    wake_.wait_until(lock, until, [&] { return interrupted_ || stopping_; });
    bool interrupted = interrupted_ || stopping_;
    waiting_ = false;
    interrupted_ = false;
    return !interrupted;
  }

  // JS thread: the reply to `call` (nullopt: the user cancelled the prompt).
  void Reply(uint32_t call, std::optional<convert::Value> value, bool eof) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (replyCall_ != call) return;
    reply_ = std::move(value);
    replyEof_ = eof;
    replyReady_ = true;
    wake_.notify_all();
  }

  // Any thread: wakes a wait in progress; false when the thread is not waiting here.
  bool InterruptIfWaiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!waiting_) return false;
    interrupted_ = true;
    wake_.notify_all();
    return true;
  }

  // Context thread, GIL released: until ready() holds, an interrupt or a stop, or `seconds`
  // pass (< 0: no limit). 0: ready, 1: interrupted or stopped, 2: timed out. ready() runs
  // with this object's mutex held, so it may take only locks never held around Wake().
  int WaitUntil(const std::function<bool()>& ready, double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_ = true;
    interrupted_ = false;
    auto done = [&] { return interrupted_ || stopping_ || ready(); };
    if (seconds < 0) {
      wake_.wait(lock, done);
    } else {
      auto until = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
      wake_.wait_until(lock, until, done);
    }
    int out = ready() ? 0 : (interrupted_ || stopping_) ? 1 : 2;
    waiting_ = false;
    interrupted_ = false;
    return out;
  }

  // Any thread: makes a WaitUntil in progress look at its condition again.
  void Wake() {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }

  // JS thread: every wait, now and later, returns at once.
  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool waiting_ = false;
  bool interrupted_ = false;
  uint32_t replyCall_ = 0;
  std::optional<convert::Value> reply_;
  bool replyReady_ = false;
  bool replyEof_ = false;
};

}  // namespace pyc
