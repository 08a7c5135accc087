#include "runtime/events.h"

#include "objects/completion_spin.h"

namespace pyc {

void EventSink::Open(napi_threadsafe_function tsfn) {
  std::lock_guard<std::mutex> lock(m_);
  tsfn_ = tsfn;
  closed_ = false;
  scheduled_ = false;
}

void EventSink::Close() {
  std::lock_guard<std::mutex> lock(m_);
  closed_ = true;
  tsfn_ = nullptr;
  queue_.clear();
  pendingOutput_ = 0;
  room_.notify_all();
}

void EventSink::WakeLocked() {
  if (scheduled_ || !tsfn_) return;
  scheduled_ = true;
  if (spinning_) {
    // The JS thread is awake and watching: it dispatches itself (EndSpin), with no wake-up.
    handed_.store(true, std::memory_order_release);
    return;
  }
  napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
}

void EventSink::ArmSpin() {
  if (spin_) spin_->Arm();
}

bool EventSink::BeginSpin() {
  std::lock_guard<std::mutex> lock(m_);
  if (scheduled_ || closed_) return false;
  spinning_ = true;
  handed_.store(false, std::memory_order_relaxed);
  return true;
}

bool EventSink::EndSpin() {
  std::lock_guard<std::mutex> lock(m_);
  spinning_ = false;
  return handed_.exchange(false, std::memory_order_acq_rel);
}

bool EventSink::Push(Event&& e) {
  std::lock_guard<std::mutex> lock(m_);
  if (closed_) return false;
  queue_.push_back(std::move(e));
  WakeLocked();
  return true;
}

bool EventSink::OutputBacklogged() {
  std::lock_guard<std::mutex> lock(m_);
  return !closed_ && pendingOutput_ > kMaxPendingOutput;
}

void EventSink::WaitForRoom() {
  std::unique_lock<std::mutex> lock(m_);
  room_.wait(lock, [&] { return closed_ || pendingOutput_ <= kMaxPendingOutput / 2; });
}

// Output chunks stay small enough for V8's young generation (objects up to 128 KiB): JS
// strings of a megabyte each went to the large-object space, and a 100 MB print loop then
// paid for full garbage collections in the extension host (issue 17).
constexpr size_t kCoalesceLimit = 32 * 1024;

bool EventSink::PushOutput(uint32_t call, EventKind stream, const char* data, size_t len) {
  std::lock_guard<std::mutex> lock(m_);
  if (closed_) return false;
  pendingOutput_ += len;
  if (!queue_.empty()) {
    Event& last = queue_.back();
    // Appending to the previous chunk keeps order and turns many small writes
    // (print writes the text and the newline separately) into one JS callback.
    if (last.call == call && last.kind == stream && last.value.text.size() < kCoalesceLimit) {
      last.value.text.append(data, len);
      return true;
    }
  }
  Event e;
  e.call = call;
  e.kind = stream;
  e.value = convert::Value::utf8(std::string(data, len));
  queue_.push_back(std::move(e));
  WakeLocked();
  return true;
}

bool EventSink::PushBackground(const std::string& process, EventKind stream, const char* data, size_t len) {
  std::lock_guard<std::mutex> lock(m_);
  if (closed_) return false;
  pendingOutput_ += len;
  if (!queue_.empty()) {
    Event& last = queue_.back();
    // value = {process, text}: items are key0, value0, key1, value1.
    if (last.call == 0 && last.kind == stream && last.value.items.size() == 4 && last.value.items[1].text == process &&
        last.value.items[3].text.size() < (1u << 20)) {
      last.value.items[3].text.append(data, len);
      return true;
    }
  }
  Event e;
  e.kind = stream;
  e.value = convert::Value::dict();
  e.value.put("process", convert::Value::utf8(process));
  e.value.put("text", convert::Value::utf8(std::string(data, len)));
  queue_.push_back(std::move(e));
  WakeLocked();
  return true;
}

// The output bytes an event holds, as PushOutput/PushBackground counted them.
static size_t OutputBytes(const Event& e) {
  switch (e.kind) {
    case EventKind::Stdout:
    case EventKind::Stderr:
      return e.value.text.size();
    case EventKind::BackgroundStdout:
    case EventKind::BackgroundStderr:
      return e.value.items.size() == 4 ? e.value.items[3].text.size() : 0;
    default:
      return 0;
  }
}

bool EventSink::Pop(Event& out) {
  std::lock_guard<std::mutex> lock(m_);
  if (queue_.empty()) {
    // Seen empty under the lock: the next push must wake the JS thread.
    scheduled_ = false;
    return false;
  }
  out = std::move(queue_.front());
  queue_.pop_front();
  size_t bytes = OutputBytes(out);
  pendingOutput_ = bytes < pendingOutput_ ? pendingOutput_ - bytes : 0;
  if (pendingOutput_ <= kMaxPendingOutput / 2) room_.notify_all();
  return true;
}

}  // namespace pyc
