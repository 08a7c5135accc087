// Context: one OS thread with its own Python thread state and its own job queue.
// In 'worker' mode the thread state belongs to the main interpreter; in 'owngil' mode the
// thread makes a sub-interpreter with its own GIL (PEP 684) when it starts, runs every job
// in it with that interpreter's runtime (runtime/runtime_entries.h), and ends it on exit.
//
// JS-visible class `Context` (a thin handle) wraps a shared ContextCore, which the
// context thread also owns, so a thread that outlives its handle (a restart that
// abandoned it while stuck in C code) still has valid memory.
//
// Its parts: the job queue and the thread's loop (here), the table of environments
// (objects/environments.h) and the waits for input replies and sleeps
// (objects/native_wait.h).
//
// GIL RULE: the context thread takes the GIL (GilHold) only to run a batch of jobs
// and gives it back in between; an own-GIL context takes its own interpreter's GIL, and
// the main interpreter's only to create and delete the thread state it makes the
// sub-interpreter from. The environments are touched only by the context
// thread with the GIL held. Everything the JS thread reads (stats) is an atomic or
// guarded by mutex_ (or NativeWait's own mutex), never by the GIL.
#pragma once
#include <napi.h>
#include <Python.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "convert/value.h"
#include "objects/environments.h"
#include "objects/native_wait.h"
#include "runtime/events.h"
#include "runtime/runtime_entries.h"
#include "runtime/workdirs.h"

namespace pyc {

struct Job {
  uint32_t call = 0;
  uint32_t op = 0;          // runtime.py dispatch op; kOpCloseEnv is handled in C++
  std::string env;          // process id owning the environment
  convert::Value payload;   // list of arguments for the op
  uint32_t flags = 0;       // kJobCopyBuffers, kJobExistingEnv
};

// The result's numpy arrays are copied, never shared with JS (RunOptions.copyBuffers).
constexpr uint32_t kJobCopyBuffers = 1;
// The op only reads the process's environment (the tree's variables, saving state, the data
// viewer, live completions): where the process has none, the job answers undefined and creates
// none. The JS side cannot know for sure: a run it submitted may have been abandoned in the
// queue, and then the environment it would have made never existed.
constexpr uint32_t kJobExistingEnv = 2;

constexpr uint32_t kOpCloseEnv = 0;
// chdir(payload[0]) for the job's process, relative to its directory (src/engine/ops.ts).
// Far above runtime.py's op numbers so new Python ops never collide with it.
constexpr uint32_t kOpChdir = 100;

enum class ContextMode { Worker, OwnGil };

// Whether this core can make own-GIL sub-interpreters (built against 3.12+ headers).
constexpr bool kOwnGilSupported = PY_VERSION_HEX >= 0x030C0000;

class ContextCore : public std::enable_shared_from_this<ContextCore> {
 public:
  ContextCore(std::string id, ContextMode mode, std::shared_ptr<EventSink> sink, std::shared_ptr<WorkDirs> workdirs);
  ~ContextCore();

  // JS thread.
  bool Start(std::string& error);
  bool Submit(Job&& job);               // false once stopping
  bool CancelQueued(uint32_t call);     // removes a job that has not started
  void RequestInterrupt(uint32_t call); // 0: whatever runs now
  void Reply(uint32_t call, std::optional<convert::Value> value, bool eof);
  // Stops taking jobs, drops queued ones, interrupts the running one. The thread
  // exits as soon as the running job returns. Returns the dropped call ids.
  std::deque<uint32_t> Stop();
  bool WaitExited(int timeoutMs);
  void JoinOrDetach(int timeoutMs);

  // Any thread.
  const std::string& id() const { return id_; }
  bool busy() const { return busy_.load(); }
  uint32_t currentCall() const { return currentCall_.load(); }
  size_t queued();
  uint64_t calls() const { return calls_.load(); }
  uint32_t environments() const { return envs_.count(); }
  int64_t busySinceMs() const { return busySince_.load(); }
  // Whether this context thread has a working directory of its own (see runtime/workdirs.h).
  bool privateFs() const { return privateFs_.load(); }

  // Context thread, GIL held: used by _py_contexts_native.
  static ContextCore* Current();
  // The context's own thread state (in its sub-interpreter for an own-GIL context).
  PyThreadState* tstate() const { return tstate_; }
  static uint32_t CurrentCall();
  EventSink& sink() { return *sink_; }
  std::shared_ptr<EventSink> sinkPtr() const { return sink_; }
  // input() and time.sleep() wait here (GIL released); see objects/native_wait.h.
  NativeWait& waits() { return waits_; }
  // Host calls (runtime/host_calls.cpp) wait here too: see NativeWait::WaitUntil.
  int WaitUntil(const std::function<bool()>& ready, double seconds) { return waits_.WaitUntil(ready, seconds); }
  void WakeWaiters() { waits_.Wake(); }

  // Interrupter thread, no GIL: takes the GIL of this context's interpreter and delivers.
  void DeliverInterruptFromHelper(uint32_t call);

  ContextMode mode() const { return mode_; }

 private:
  // GIL of this context's interpreter held.
  void DeliverInterrupt(uint32_t call);
  // Context thread, no GIL before and after: makes tstate_ (and, own-GIL, the sub-interpreter).
  void EnterInterpreter();
  // Context thread, GIL of tstate_ held on entry, none on return: deletes what EnterInterpreter made.
  void LeaveInterpreter();
  // Context thread, own-GIL, its GIL held: waits a little for the interpreter's other threads
  // (the runtime's helpers, user threads) to end; true when this thread is its only one.
  bool WaitAloneInInterpreter();
  void Run();
  void RunJob(Job& job);
  // Context thread: moves the thread into the job's process directory; false with `error`
  // set when that directory is gone (the process is then moved to the start directory).
  bool EnterProcessDir(const std::string& process, convert::Value& error);
  // Context thread: records where the job left the thread as the process's directory.
  void SaveProcessDir(const std::string& process);
  // Context thread, GIL held: the payload as Python arguments, run through runtime.dispatch.
  void RunDispatch(const Job& job, Event& ev);
  // Context thread, GIL held: the kOpChdir job.
  void RunChdir(const Job& job, Event& ev);

  std::string id_;
  ContextMode mode_;
  std::shared_ptr<EventSink> sink_;
  pthread_t thread_{};
  bool started_ = false;
  unsigned long pyThreadId_ = 0;
  std::shared_ptr<WorkDirs> workdirs_;
  std::atomic<bool> privateFs_{false};
  std::string threadDir_;  // context thread only: where the thread is now
  std::string startDir_;   // context thread only: the host's directory when the thread started
  PyThreadState* tstate_ = nullptr;
  // Own-GIL: the main-interpreter thread state the sub-interpreter is made from and ended back to.
  PyThreadState* mainTstate_ = nullptr;
  // The runtime this thread runs jobs with: the main interpreter's, or ownEntries_.
  RuntimeEntries* entries_ = nullptr;
  std::unique_ptr<RuntimeEntries> ownEntries_;
  // Why this context cannot run jobs (its sub-interpreter or runtime failed to start); every
  // job then fails with it. Context thread only.
  std::string startError_;
  // Own-GIL: the interrupter makes a thread state in subInterp_ only while subAlive_, under
  // interpMutex_, so the interpreter is never ended under it. Taken without any GIL held.
  std::mutex interpMutex_;
  PyInterpreterState* subInterp_ = nullptr;
  bool subAlive_ = false;

  std::mutex mutex_;
  // Orders "is call N still running? then raise in it" (the interrupter thread) against
  // "call N ended: clear any pending async exception" (this thread). The GIL ordered them on
  // GIL builds; free-threaded builds run both at once, and an interrupt leaked into the next
  // call. Held only around those two short steps, never while waiting for anything else.
  std::mutex interruptMutex_;
  std::condition_variable wake_;      // jobs arrive / stop
  std::condition_variable exited_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  bool exitedFlag_ = false;

  std::atomic<size_t> queuedCount_{0};  // mirrors queue_.size() for lock-free polling
  std::atomic<bool> busy_{false};
  std::atomic<uint32_t> currentCall_{0};
  std::atomic<uint64_t> calls_{0};
  std::atomic<int64_t> busySince_{0};

  NativeWait waits_;
  Environments envs_;  // context thread + GIL only
};

// The JS handle.
class Context : public Napi::ObjectWrap<Context> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Context(const Napi::CallbackInfo& info);
  std::shared_ptr<ContextCore> core() const { return core_; }
  void Attach(std::shared_ptr<ContextCore> core) { core_ = std::move(core); }

 private:
  Napi::Value Submit(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Interrupt(const Napi::CallbackInfo& info);
  Napi::Value Reply(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);

  std::shared_ptr<ContextCore> core_;
};

}  // namespace pyc
