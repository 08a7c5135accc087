#include "runtime/host_calls.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "objects/context.h"
#include "runtime/events.h"

namespace pyc::host {
namespace {

struct Request {
  bool ready = false;
  bool ok = false;
  convert::Value value;
  std::weak_ptr<ContextCore> ctx;  // the waiting context, woken through its own wait
};

struct Table {
  std::mutex m;
  std::condition_variable cv;  // answers, for threads that are not context threads
  std::unordered_map<uint32_t, Request> pending;
  uint32_t nextId = 1;
  std::weak_ptr<EventSink> sink;
  bool closed = false;
};

Table& T() {
  static Table* t = new Table();  // leaked on purpose: Python threads may use it during exit
  return *t;
}

}  // namespace

void SetSink(std::weak_ptr<EventSink> sink) {
  Table& t = T();
  std::lock_guard<std::mutex> lock(t.m);
  t.sink = std::move(sink);
  t.closed = false;
}

void Close() {
  Table& t = T();
  std::vector<std::shared_ptr<ContextCore>> waiting;
  {
    std::lock_guard<std::mutex> lock(t.m);
    t.closed = true;
    t.sink.reset();
    for (auto& [id, r] : t.pending) {
      if (r.ready) continue;
      r.ready = true;
      r.ok = false;
      r.value = convert::Value::dict();
      r.value.put("type", convert::Value::utf8("HostError"));
      r.value.put("message", convert::Value::utf8("Python is shutting down: the host function's answer will not come"));
      r.value.put("stack", convert::Value::utf8(""));
      if (auto c = r.ctx.lock()) waiting.push_back(std::move(c));
    }
  }
  t.cv.notify_all();
  for (auto& c : waiting) c->WakeWaiters();
}

Outcome Call(convert::Value request, double seconds, convert::Value& out) {
  Table& t = T();
  ContextCore* ctx = ContextCore::Current();
  std::shared_ptr<EventSink> sink;
  uint32_t id;
  {
    std::lock_guard<std::mutex> lock(t.m);
    sink = t.sink.lock();
    if (!sink || t.closed) return Outcome::NoHost;
    id = t.nextId;
    t.nextId = t.nextId >= 0x7fffffff ? 1 : t.nextId + 1;
    Request r;
    if (ctx) r.ctx = ctx->shared_from_this();
    t.pending[id] = std::move(r);
  }
  Event e;
  e.call = id;
  e.kind = EventKind::HostCall;
  e.value = std::move(request);
  if (!sink->Push(std::move(e))) {
    std::lock_guard<std::mutex> lock(t.m);
    t.pending.erase(id);
    return Outcome::NoHost;
  }
  auto ready = [&] { return t.pending[id].ready; };
  int waited;  // 0 answered, 1 interrupted, 2 timed out
  if (ctx) {
    waited = ctx->WaitUntil(
        [&] {
          std::lock_guard<std::mutex> lock(t.m);
          return ready();
        },
        seconds);
  } else {
    std::unique_lock<std::mutex> lock(t.m);
    if (seconds < 0) {
      t.cv.wait(lock, ready);
      waited = 0;
    } else {
      auto until = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
      waited = t.cv.wait_until(lock, until, ready) ? 0 : 2;
    }
  }
  std::lock_guard<std::mutex> lock(t.m);
  auto it = t.pending.find(id);
  Request r = std::move(it->second);
  t.pending.erase(it);
  // An answer that arrived together with the interrupt still counts: nothing is lost.
  if (!r.ready) return waited == 1 ? Outcome::Interrupted : Outcome::TimedOut;
  out = std::move(r.value);
  return r.ok ? Outcome::Ok : Outcome::Error;
}

void Reply(uint32_t id, bool ok, convert::Value value) {
  Table& t = T();
  std::shared_ptr<ContextCore> ctx;
  {
    std::lock_guard<std::mutex> lock(t.m);
    auto it = t.pending.find(id);
    if (it == t.pending.end()) return;  // the caller gave up (interrupt, timeout): drop it
    it->second.ready = true;
    it->second.ok = ok;
    it->second.value = std::move(value);
    ctx = it->second.ctx.lock();
  }
  t.cv.notify_all();
  // Outside our mutex: the context's wait holds its own mutex while it asks us.
  if (ctx) ctx->WakeWaiters();
}

size_t Pending() {
  Table& t = T();
  std::lock_guard<std::mutex> lock(t.m);
  return t.pending.size();
}

}  // namespace pyc::host
