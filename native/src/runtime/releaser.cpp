#include "runtime/releaser.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "runtime/gil.h"
#include "runtime/interpreter.h"

namespace pyc::releaser {
namespace {

struct State {
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;
  size_t running = 0;  // releases taken off the queue and not yet run
  uint64_t generation = 1;
  bool started = false;
  bool stop = false;
  std::thread thread;
};

State& S() {
  static State* s = new State();  // leaked on purpose: finalizers post during process exit
  return *s;
}

// Runs a batch under one GIL hold: a GC pass that frees a thousand arrays costs one
// GIL acquisition, not a thousand.
void RunBatch(std::deque<std::function<void()>>& batch) {
  if (batch.empty() || !Interpreter::Instance().running()) return;
  GilEnsure gil;
  for (auto& f : batch) f();
}

void Loop() {
  State& s = S();
  for (;;) {
    std::deque<std::function<void()>> batch;
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(s.m);
      s.cv.wait(lock, [&] { return s.stop || !s.queue.empty(); });
      batch.swap(s.queue);
      s.running = batch.size();
      stopping = s.stop;
    }
    RunBatch(batch);
    batch.clear();
    {
      std::lock_guard<std::mutex> lock(s.m);
      s.running = 0;
    }
    if (stopping) return;
  }
}

}  // namespace

uint64_t Generation() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.m);
  return s.generation;
}

void Post(uint64_t generation, std::function<void()> release) {
  State& s = S();
  std::unique_lock<std::mutex> lock(s.m);
  if (generation != s.generation || s.stop) {
    lock.unlock();
    return;  // `release` is destroyed here, outside the lock, without running
  }
  if (!s.started) {
    s.started = true;
    s.thread = std::thread(Loop);
  }
  s.queue.push_back(std::move(release));
  s.cv.notify_one();
}

void Stop() {
  State& s = S();
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(s.m);
    s.generation++;
    if (!s.started) return;
    s.started = false;
    s.stop = true;  // the loop runs what is queued, then returns
    s.cv.notify_all();
    t = std::move(s.thread);
  }
  if (t.joinable()) t.join();
  std::lock_guard<std::mutex> lock(s.m);
  s.stop = false;
}

size_t Pending() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.m);
  return s.queue.size() + s.running;
}

}  // namespace pyc::releaser
