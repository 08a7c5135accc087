#include "runtime/interrupter.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "objects/context.h"
#include "runtime/gil.h"
#include "runtime/interpreter.h"

namespace pyc::interrupter {
namespace {

struct State {
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::weak_ptr<ContextCore>, uint32_t>> queue;
  bool running = false;
  bool stop = false;
  std::thread thread;
};

State& S() {
  static State* s = new State();  // leaked on purpose: used during process exit
  return *s;
}

void Loop() {
  State& s = S();
  for (;;) {
    std::pair<std::weak_ptr<ContextCore>, uint32_t> item;
    {
      std::unique_lock<std::mutex> lock(s.m);
      s.cv.wait(lock, [&] { return s.stop || !s.queue.empty(); });
      if (s.stop) return;
      item = std::move(s.queue.front());
      s.queue.pop_front();
    }
    auto ctx = item.first.lock();
    if (!ctx || !Interpreter::Instance().running()) continue;
    if (ctx->currentCall() == 0) continue;  // finished meanwhile: nothing to interrupt
    ctx->DeliverInterruptFromHelper(item.second);
  }
}

}  // namespace

void Request(std::shared_ptr<ContextCore> ctx, uint32_t call) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.m);
  if (!s.running) {
    s.stop = false;
    s.running = true;
    s.thread = std::thread(Loop);
  }
  s.queue.emplace_back(ctx, call);
  s.cv.notify_one();
}

void Stop() {
  State& s = S();
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(s.m);
    if (!s.running) return;
    s.stop = true;
    s.running = false;
    s.queue.clear();
    s.cv.notify_all();
    t = std::move(s.thread);
  }
  if (t.joinable()) t.join();
}

}  // namespace pyc::interrupter
