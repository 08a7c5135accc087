#include "objects/completion_spin.h"

#include <sched.h>

#include <algorithm>

namespace pyc {
namespace {

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// A pure spin for the first microseconds, where an idle round trip lands when the two threads
// run on two CPUs; sched_yield after that. The kernel often wakes the context thread onto the JS
// thread's CPU, and a pure spin would then keep it off that CPU for the whole window (runs that
// stayed in that state missed every spin); yielding lets it run there.
constexpr uint64_t kPureSpinNs = 2'000;

}  // namespace

CompletionSpin::CompletionSpin(napi_env env, std::shared_ptr<EventSink> sink, std::function<void()> dispatch)
    : sink_(std::move(sink)), dispatch_(std::move(dispatch)) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) return;
  handle_ = new uv_prepare_t;
  if (uv_prepare_init(loop, handle_) != 0) {
    delete handle_;
    handle_ = nullptr;
    return;
  }
  handle_->data = this;
  // Neither must keep Node alive by itself: the threadsafe function's ref does that while calls run.
  uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  idle_ = new uv_idle_t;
  if (uv_idle_init(loop, idle_) != 0) {
    delete idle_;
    idle_ = nullptr;
    return;
  }
  uv_unref(reinterpret_cast<uv_handle_t*>(idle_));
}

namespace {
void NoOp(uv_idle_t*) {}
}  // namespace

CompletionSpin::~CompletionSpin() { Close(); }

void CompletionSpin::Arm() {
  if (!handle_ || windowNs_ == 0 || armed_) return;
  armed_ = true;
  uv_prepare_start(handle_, &CompletionSpin::OnPrepare);
  if (dispatching_ && idle_) uv_idle_start(idle_, &NoOp);
}

void CompletionSpin::SetWindow(uint32_t us) {
  windowNs_ = uint64_t{us} * 1000;
  backoff_ = skip_ = 0;  // a new window starts with a clean record
}

void CompletionSpin::OnPrepare(uv_prepare_t* handle) {
  auto* self = static_cast<CompletionSpin*>(handle->data);
  uv_prepare_stop(handle);
  if (!self) return;
  if (self->idle_) uv_idle_stop(self->idle_);
  self->armed_ = false;
  self->Spin();
}

void CompletionSpin::Spin() {
  if (skip_ > 0) {
    skip_--;
    stats_.skipped++;
    return;
  }
  if (!sink_->BeginSpin()) return;  // events already wait: the loop will not sleep anyway
  const uint64_t start = uv_hrtime();
  uint64_t now = start;
  while (!sink_->Handed()) {
    if (now - start < kPureSpinNs) Pause();
    else sched_yield();
    now = uv_hrtime();
    if (now - start >= windowNs_) break;
  }
  stats_.spunNs += now - start;
  // A push can still land between the last look and EndSpin: then it is ours all the same.
  const bool handed = sink_->EndSpin();
  if (handed) {
    stats_.hits++;
    backoff_ = 0;
    dispatching_ = true;
    dispatch_();
    dispatching_ = false;
    return;
  }
  stats_.misses++;
  backoff_ = backoff_ == 0 ? 1 : std::min(backoff_ * 2, kMaxSkip);
  skip_ = backoff_;
}

void CompletionSpin::Close() {
  if (!handle_) return;
  uv_prepare_stop(handle_);
  handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_prepare_t*>(h); });
  handle_ = nullptr;
  if (idle_) {
    uv_idle_stop(idle_);
    uv_close(reinterpret_cast<uv_handle_t*>(idle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
    idle_ = nullptr;
  }
  armed_ = false;
}

}  // namespace pyc
