#include "objects/context.h"

#include <limits.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "convert/from_js.h"
#include "convert/from_python.h"
#include "convert/to_python.h"
#include "errors/capture.h"
#include "objects/addon_data.h"
#include "objects/macros.h"
#include "runtime/gil.h"
#include "runtime/interpreter.h"
#include "runtime/interrupter.h"
#include "runtime/py_ref.h"

namespace pyc {
namespace {

thread_local ContextCore* tlContext = nullptr;
thread_local uint32_t tlCall = 0;

// Deep recursion must end in RecursionError, never a segfault: give context
// threads a C stack far larger than the 8 MiB default (it is only reserved,
// pages are touched on demand).
constexpr size_t kStackBytes = 256u * 1024u * 1024u;

// While jobs keep arriving a context keeps the GIL for up to this long before
// giving other contexts a turn.
constexpr auto kBatchBudget = std::chrono::microseconds(2000);

// How long a context that just finished work polls for the next job before sleeping.
constexpr auto kPollBeforeSleep = std::chrono::microseconds(100);

// Calls <module>.<fn>(arg) (no argument when arg is null) with the GIL held; the result (a new reference, or
// null with the error cleared) is for hooks of the Python side that must never fail a job.
PyRef CallRuntimeHook(const char* module, const char* fn, PyObject* arg) {
  // Looked up in sys.modules, never imported (runtime.py imports these at start): an import
  // takes the interpreter's import lock, and a thread stopped inside the import machinery by an
  // async exception can exit still holding it, after which Py_FinalizeEx hung on its own import.
#if PY_VERSION_HEX >= 0x030D0000
  PyObject* found = nullptr;
  if (PyDict_GetItemStringRef(PyImport_GetModuleDict(), module, &found) < 0) PyErr_Clear();
  PyRef mod = PyRef::steal(found);
#else
  PyRef mod = PyRef::borrow(PyDict_GetItemString(PyImport_GetModuleDict(), module));
#endif
  PyRef f = mod ? PyRef::steal(PyObject_GetAttrString(mod.get(), fn)) : PyRef();
  PyRef r = f ? PyRef::steal(arg ? PyObject_CallOneArg(f.get(), arg) : PyObject_CallNoArgs(f.get())) : PyRef();
  if (!r) PyErr_Clear();
  return r;
}

// Own-GIL contexts make their sub-interpreters one at a time. Started together (a restart
// storm: the soak's chaos restarts a context every few milliseconds), dozens of them queued on
// CPython's process-wide import locks, handed from thread to thread once per builtin module,
// and the backlog took a second per interpreter to drain. Waiting here instead, a context
// retired before its turn makes none at all.
std::mutex gSubinterpreterStarts;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ContextCore::ContextCore(std::string id, ContextMode mode, std::shared_ptr<EventSink> sink,
                         std::shared_ptr<WorkDirs> workdirs)
    : id_(std::move(id)), mode_(mode), sink_(std::move(sink)), workdirs_(std::move(workdirs)) {}

ContextCore::~ContextCore() = default;

ContextCore* ContextCore::Current() { return tlContext; }
uint32_t ContextCore::CurrentCall() { return tlCall; }

bool ContextCore::Start(std::string& error) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackBytes);
  // The thread holds its own reference, so the core outlives an abandoned handle.
  auto* self = new std::shared_ptr<ContextCore>(shared_from_this());
  int rc = pthread_create(
      &thread_, &attr,
      [](void* arg) -> void* {
        auto* holder = static_cast<std::shared_ptr<ContextCore>*>(arg);
        std::shared_ptr<ContextCore> core = *holder;
        delete holder;
        core->Run();
        return nullptr;
      },
      self);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete self;
    error = std::string("could not start a context thread: ") + std::strerror(rc);
    return false;
  }
  started_ = true;
  return true;
}

bool ContextCore::Submit(Job&& job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return false;
  queue_.push_back(std::move(job));
  queuedCount_.store(queue_.size(), std::memory_order_release);
  wake_.notify_one();
  return true;
}

bool ContextCore::CancelQueued(uint32_t call) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->call == call) {
      queue_.erase(it);
      queuedCount_.store(queue_.size(), std::memory_order_release);
      return true;
    }
  }
  return false;
}

size_t ContextCore::queued() {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void ContextCore::RequestInterrupt(uint32_t call) {
  uint32_t target = call ? call : currentCall_.load();
  if (!target) return;
  // A call waiting in input() or sleep() is woken directly; no async
  // exception is needed (and none must linger afterwards).
  if (currentCall_.load() == target && waits_.InterruptIfWaiting()) return;
  interrupter::Request(shared_from_this(), target);
}

void ContextCore::DeliverInterruptFromHelper(uint32_t call) {
  if (mode_ == ContextMode::Worker) {
    GilEnsure gil;
    DeliverInterrupt(call);
    return;
  }
  // PyThreadState_SetAsyncExc acts on the threads of the interpreter whose GIL the caller
  // holds, so the interrupter needs a thread state of the sub-interpreter for the moment.
  std::lock_guard<std::mutex> lock(interpMutex_);
  if (!subAlive_) return;
  PyThreadState* ts = PyThreadState_New(subInterp_);
  if (!ts) return;
  PyEval_RestoreThread(ts);
  DeliverInterrupt(call);
  PyThreadState_Clear(ts);
  PyThreadState_DeleteCurrent();
}

void ContextCore::DeliverInterrupt(uint32_t call) {
  // GIL held, so the context thread is not between jobs changing currentCall_.
  if (currentCall_.load() != call || !pyThreadId_) return;
  if (waits_.InterruptIfWaiting()) return;
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping = stopping_;
  }
  // A SIGINT handler the process installed (signal.signal, emulated by
  // py_contexts.signals) runs instead of KeyboardInterrupt, as on Python's main thread.
  // A restart (stopping) must stop the code whatever the handler would do.
  if (!stopping) {
    PyRef target = PyRef::steal(Py_BuildValue("(kI)", pyThreadId_, static_cast<unsigned int>(call)));
    PyRef handled = target ? CallRuntimeHook("py_contexts.signals", "interrupt_hook", target.get()) : PyRef();
    if (handled && handled.get() == Py_True) return;
  }
  std::lock_guard<std::mutex> lock(interruptMutex_);
  if (currentCall_.load() != call) return;  // ended meanwhile (possible without a GIL)
  PyThreadState_SetAsyncExc(pyThreadId_, PyExc_KeyboardInterrupt);
}

void ContextCore::Reply(uint32_t call, std::optional<convert::Value> value, bool eof) {
  waits_.Reply(call, std::move(value), eof);
}


std::deque<uint32_t> ContextCore::Stop() {
  std::deque<uint32_t> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& j : queue_) dropped.push_back(j.call);
    queue_.clear();
    queuedCount_.store(0, std::memory_order_release);
    wake_.notify_all();
  }
  waits_.Stop();
  if (currentCall_.load()) interrupter::Request(shared_from_this(), currentCall_.load());
  return dropped;
}

bool ContextCore::WaitExited(int timeoutMs) {
  std::unique_lock<std::mutex> lock(mutex_);
  return exited_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return exitedFlag_; });
}

void ContextCore::JoinOrDetach(int timeoutMs) {
  if (!started_) return;
  started_ = false;
  if (WaitExited(timeoutMs)) pthread_join(thread_, nullptr);
  else pthread_detach(thread_);
}

namespace {

PyObject* OsErrorType(int err) {
  switch (err) {
    case ENOENT: return PyExc_FileNotFoundError;
    case ENOTDIR: return PyExc_NotADirectoryError;
    case EACCES:
    case EPERM: return PyExc_PermissionError;
    default: return PyExc_OSError;
  }
}

// os.chdir itself, so errors read exactly as Python's (FileNotFoundError: [Errno 2] …).
PyRef CallChdir(PyObject* path) {
  PyRef os = PyRef::steal(PyImport_ImportModule("os"));
  if (!os) return os;
  PyRef chdir = PyRef::steal(PyObject_GetAttrString(os.get(), "chdir"));
  if (!chdir) return chdir;
  return PyRef::steal(PyObject_CallOneArg(chdir.get(), path));
}

}  // namespace

bool ContextCore::EnterProcessDir(const std::string& process, convert::Value& error) {
  std::string want;
  if (!workdirs_->Differs(process, threadDir_, want)) return true;
  if (chdir(want.c_str()) == 0) {
    threadDir_ = std::move(want);
    return true;
  }
  int err = errno;
  // The directory was removed (or made unreadable) while the process was elsewhere.
  // Running the code in some other folder without a word would put its relative reads
  // and writes in a surprising place, so this one job fails, naming both folders, and
  // the process continues in the folder the context started in.
  workdirs_->Set(process, startDir_);
  if (chdir(startDir_.c_str()) == 0) threadDir_ = startDir_;
  PyErr_Format(OsErrorType(err), "[Errno %d] %s: the working directory of this process, '%s', cannot be entered; "
               "it continues in '%s'", err, std::strerror(err), want.c_str(), startDir_.c_str());
  error = errors::CaptureError();
  return false;
}

void ContextCore::SaveProcessDir(const std::string& process) {
  char buf[PATH_MAX];
  // A directory removed while the job ran has no path any more; os.getcwd() raises for
  // the process too, just as it would in a script, so nothing is recorded.
  if (!getcwd(buf, sizeof buf)) return;
  if (threadDir_ == buf) return;
  threadDir_ = buf;
  workdirs_->Set(process, threadDir_);
}

void ContextCore::RunChdir(const Job& job, Event& ev) {
  PyRef args = convert::ToPython(job.payload);
  PyRef done;
  if (!privateFs_.load()) {
    PyErr_SetString(PyExc_OSError, "a working directory per process needs a context thread with its own directory "
                    "(Linux unshare(CLONE_FS)), which is not available here; every process shares the host's directory");
  } else if (args && PyList_Check(args.get()) && PyList_GET_SIZE(args.get()) == 1) {
    done = CallChdir(PyList_GET_ITEM(args.get(), 0));
  } else if (args) {
    PyErr_SetString(PyExc_TypeError, "chdir expects one path");
  }
  if (done) {
    ev.kind = EventKind::Result;
  } else {
    ev.kind = EventKind::Error;
    ev.value = errors::CaptureError();
  }
}

void ContextCore::RunDispatch(const Job& job, Event& ev) {
  const bool existingOnly = (job.flags & kJobExistingEnv) != 0;
  PyObject* env = existingOnly ? envs_.Find(job.env) : envs_.Get(job.env);
  if (!env && existingOnly) {
    ev.kind = EventKind::Result;  // undefined: no environment, and none made for asking
    return;
  }
  PyRef result;
  if (env) {
    PyRef args = convert::ToPython(job.payload);
    if (args) {
      PyRef op = PyRef::steal(PyLong_FromUnsignedLong(job.op));
      PyObject* argv[] = {op.get(), env, args.get()};
      result = PyRef::steal(PyObject_Vectorcall(entries_->dispatch(), argv, 3, nullptr));
    }
  }
  if (!result) {
    ev.kind = EventKind::Error;
    ev.value = errors::CaptureError();
    return;
  }
  ev.kind = EventKind::Result;
  if (result.get() == entries_->noValue()) return;  // Value() is JS undefined
  std::string error;
  // An exception raised while converting (e.g. a __repr__ failing) is cleared there.
  convert::FromPythonOptions opts;
  opts.shareBuffers = !(job.flags & kJobCopyBuffers);
  if (!convert::FromPython(result.get(), ev.value, error, opts)) {
    ev.kind = EventKind::Error;
    ev.value = errors::MakeError("TypeError", "Cannot convert the result to JS: " + error);
  }
}

void ContextCore::RunJob(Job& job) {
  Event ev;
  ev.call = job.call;
  tlCall = job.call;
  currentCall_.store(job.call);
  busySince_.store(NowMs());
  busy_.store(true);

  // Closing an environment runs no user code, so it needs no directory.
  const bool inProcessDir = privateFs_.load(std::memory_order_relaxed) && job.op != kOpCloseEnv;
  if (!startError_.empty()) {
    if (job.op == kOpCloseEnv) {
      ev.kind = EventKind::Result;
    } else {
      ev.kind = EventKind::Error;
      ev.value = errors::MakeError("RuntimeError", startError_);
    }
  } else if (inProcessDir && !EnterProcessDir(job.env, ev.value)) {
    ev.kind = EventKind::Error;
  } else if (job.op == kOpChdir) {
    RunChdir(job, ev);
  } else if (job.op == kOpCloseEnv) {
    envs_.Close(job.env);
    ev.kind = EventKind::Result;
  } else {
    RunDispatch(job, ev);
  }
  if (inProcessDir) SaveProcessDir(job.env);
  // An interrupt that arrived after the code finished must not leak into the
  // next job: clear any pending async exception while we still hold the GIL, and
  // end the call under interruptMutex_ so no delivery for it can land afterwards.
  {
    std::lock_guard<std::mutex> lock(interruptMutex_);
    PyThreadState_SetAsyncExc(pyThreadId_, nullptr);
    currentCall_.store(0);
  }
  if (PyErr_Occurred()) PyErr_Clear();
  tlCall = 0;
  busy_.store(false);
  busySince_.store(0);
  calls_.fetch_add(1);
  sink_->Push(std::move(ev));
}

void ContextCore::Run() {
  tlContext = this;
  // Before anything else runs here, and before the GIL: from now on chdir() on this
  // thread moves only this thread and the threads it starts (runtime/workdirs.h).
  if (UnshareThreadFs() == 0) {
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf)) {
      startDir_ = threadDir_ = buf;
      privateFs_.store(true);
    }
  }
  EnterInterpreter();
  {
    GilHold gil(tstate_);
    pyThreadId_ = PyThread_get_thread_ident();
  }
  bool justWorked = false;
  for (;;) {
    Job job;
    if (justWorked) {
      // An awaited call usually follows its predecessor within tens of microseconds.
      // Polling for it (yielding the CPU to anyone who wants it) avoids a futex sleep
      // whose wake-up on an idle virtual CPU costs more than the call itself.
      auto pollUntil = std::chrono::steady_clock::now() + kPollBeforeSleep;
      while (queuedCount_.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < pollUntil) {
        sched_yield();
      }
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      job = std::move(queue_.front());
      queue_.pop_front();
      queuedCount_.store(queue_.size(), std::memory_order_release);
    }
    justWorked = true;
    GilHold gil(tstate_);
    RunJob(job);
    auto deadline = std::chrono::steady_clock::now() + kBatchBudget;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || queue_.empty()) break;
        job = std::move(queue_.front());
        queue_.pop_front();
        queuedCount_.store(queue_.size(), std::memory_order_release);
      }
      RunJob(job);
    }
  }
  {
    PyEval_RestoreThread(tstate_);
    // No interrupt may land in the exit path below (closing environments, the threading hook):
    // the call it was meant for is gone, and an exception raised inside library code there could
    // leave a lock taken for good.
    {
      std::lock_guard<std::mutex> lock(interruptMutex_);
      currentCall_.store(0);
      PyThreadState_SetAsyncExc(pyThreadId_, nullptr);
    }
    if (PyErr_Occurred()) PyErr_Clear();
    envs_.CloseAll();
    // threading's record of this thread (py_contexts.threads registers context threads).
    CallRuntimeHook("py_contexts.threads", "context_thread_exit", nullptr);
    LeaveInterpreter();
  }
  tlContext = nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  exitedFlag_ = true;
  exited_.notify_all();
}

void ContextCore::EnterInterpreter() {
  Interpreter& interp = Interpreter::Instance();
  entries_ = &interp.entries();
  tstate_ = PyThreadState_New(interp.interp());
  if (mode_ == ContextMode::OwnGil) {
#if PY_VERSION_HEX >= 0x030C0000
    // No GIL is held while waiting for the turn (tstate_ is not attached yet).
    std::lock_guard<std::mutex> turn(gSubinterpreterStarts);
    bool retired;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      retired = stopping_;
    }
    if (retired) {
      // Retired before its turn: it stops at once, as a worker thread would, with nothing to end.
      RuntimeEntries::SetThreadCurrent(entries_);
      return;
    }
    mainTstate_ = tstate_;
    PyEval_RestoreThread(mainTstate_);
    // Isolated as PEP 684 requires (its own allocator, multi-phase extensions only). Threads
    // and daemon threads as in a worker context; subprocess (exec) yes, os.fork() no.
    PyInterpreterConfig config = {};
    config.use_main_obmalloc = 0;
    config.allow_fork = 0;
    config.allow_exec = 1;
    config.allow_threads = 1;
    config.allow_daemon_threads = 1;
    config.check_multi_interp_extensions = 1;
    config.gil = PyInterpreterConfig_OWN_GIL;
    PyThreadState* sub = nullptr;
    PyStatus status = Py_NewInterpreterFromConfig(&sub, &config);
    if (PyStatus_Exception(status) || !sub) {
      // The main thread state is current again: jobs fail with the reason, run under it.
      startError_ = std::string("this own-GIL context could not create its sub-interpreter: ") +
                    (status.err_msg ? status.err_msg : "unknown error");
      PyEval_SaveThread();
      return;
    }
    // From here the sub-interpreter's GIL is held and the main thread state is detached.
    tstate_ = sub;
    ownEntries_ = std::make_unique<RuntimeEntries>();
    std::string error;
    if (ownEntries_->Load(interp.pythonDir(), error)) {
      entries_ = ownEntries_.get();
    } else {
      startError_ = "this own-GIL context could not start its runtime: " + error;
    }
    {
      std::lock_guard<std::mutex> lock(interpMutex_);
      subInterp_ = PyThreadState_GetInterpreter(sub);
      subAlive_ = true;
    }
    PyEval_SaveThread();
#else
    startError_ = "own-GIL contexts need Python 3.12 or later";
#endif
  }
  RuntimeEntries::SetThreadCurrent(entries_);
}

bool ContextCore::WaitAloneInInterpreter() {
  PyInterpreterState* interp = PyThreadState_GetInterpreter(tstate_);
  auto alone = [&] {
    PyThreadState* head = PyInterpreterState_ThreadHead(interp);
    return head == tstate_ && PyThreadState_Next(head) == nullptr;
  };
  // The runtime's own helper threads (the repr watchdog, interval timers) are told to end;
  // a user's thread that is still running after this is left running, and so is its interpreter.
  CallRuntimeHook("py_contexts.threads", "interpreter_exit", nullptr);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
  while (!alone() && std::chrono::steady_clock::now() < deadline) {
    GilRelease nogil;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return alone();
}

void ContextCore::LeaveInterpreter() {
  RuntimeEntries::SetThreadCurrent(nullptr);
#if PY_VERSION_HEX >= 0x030C0000
  if (mainTstate_ && tstate_ != mainTstate_) {
    bool alone = WaitAloneInInterpreter();
    if (ownEntries_) ownEntries_->Clear();
    {
      // No GIL while waiting for the interrupter, which may hold interpMutex_ waiting for this GIL.
      GilRelease nogil;
      std::lock_guard<std::mutex> lock(interpMutex_);
      subAlive_ = false;
    }
    if (alone && WaitAloneInInterpreter()) {
      Py_EndInterpreter(tstate_);  // leaves no thread state current
    } else {
      // A thread of the sub-interpreter still runs: ending it would abort the process
      // ("not the last thread"). It is left to the process exit, as a thread stuck in C is.
      Interpreter::Instance().NoteAbandonedSubinterpreter();
      PyEval_SaveThread();
    }
    tstate_ = mainTstate_;
    PyEval_RestoreThread(tstate_);
  }
  mainTstate_ = nullptr;
#endif
  PyThreadState_Clear(tstate_);
  PyThreadState_DeleteCurrent();  // also releases the GIL
  tstate_ = nullptr;
}

// ---- JS handle ---------------------------------------------------------------

Napi::Function Context::Define(Napi::Env env) {
  return DefineClass(env, "Context",
                     {
                         InstanceMethod("submit", &Context::Submit),
                         InstanceMethod("cancel", &Context::Cancel),
                         InstanceMethod("interrupt", &Context::Interrupt),
                         InstanceMethod("reply", &Context::Reply),
                         InstanceMethod("stats", &Context::Stats),
                         InstanceMethod("stop", &Context::Stop),
                     });
}

Context::Context(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Context>(info) {}


// submit(call: number, op: number, env: string, payload: unknown[], names?: string[], flags?: number): boolean
Napi::Value Context::Submit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(core_, "context is not attached");
  PYC_CHECK_ARG(info.Length() >= 4 && info[0].IsNumber() && info[1].IsNumber() && info[2].IsString() && info[3].IsArray(),
                "submit(call, op, env, payload) expects (number, number, string, array)");
  Job job;
  job.call = info[0].As<Napi::Number>().Uint32Value();
  job.op = info[1].As<Napi::Number>().Uint32Value();
  job.env = info[2].As<Napi::String>().Utf8Value();
  AddonData* data = env.GetInstanceData<AddonData>();
  // Top-level names follow the JS API's argument names so TypeErrors read naturally.
  Napi::Array names = info.Length() > 4 && info[4].IsArray() ? info[4].As<Napi::Array>() : Napi::Array::New(env, 0);
  if (info.Length() > 5 && info[5].IsNumber()) job.flags = info[5].As<Napi::Number>().Uint32Value();
  // Large typed arrays are lent to Python; their napi reference is deleted on the
  // JS thread once Python lets go of the memory.
  std::weak_ptr<EventSink> sink = core_->sinkPtr();
  convert::ShareHook share = [sink](napi_ref ref) -> std::function<void()> {
    return [sink, ref]() {
      if (auto s = sink.lock()) {
        Event e;
        e.kind = EventKind::Control;
        e.control = [ref](Napi::Env env) { napi_delete_reference(env, ref); };
        s->Push(std::move(e));
      }
    };
  };
  job.payload = convert::ArgumentsFromJs(env, info[3].As<Napi::Array>(), names, data->numbers.Value(), share);
  bool queued = core_->Submit(std::move(job));
  if (queued) core_->sink().ArmSpin();
  return Napi::Boolean::New(env, queued);
}

Napi::Value Context::Cancel(const Napi::CallbackInfo& info) {
  PYC_CHECK_ARG(core_ && info.Length() >= 1 && info[0].IsNumber(), "cancel(call) expects a number");
  uint32_t call = info[0].As<Napi::Number>().Uint32Value();
  if (core_->CancelQueued(call)) return Napi::Boolean::New(info.Env(), true);
  core_->RequestInterrupt(call);
  return Napi::Boolean::New(info.Env(), false);
}

Napi::Value Context::Interrupt(const Napi::CallbackInfo& info) {
  PYC_CHECK_ARG(core_, "context is not attached");
  uint32_t call = info.Length() >= 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
  core_->RequestInterrupt(call);
  return info.Env().Undefined();
}

// reply(call, value: string | null, eof?: boolean)
Napi::Value Context::Reply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(core_ && info.Length() >= 2 && info[0].IsNumber(), "reply(call, value) expects a call id");
  uint32_t call = info[0].As<Napi::Number>().Uint32Value();
  bool eof = info.Length() > 2 && info[2].ToBoolean().Value();
  std::optional<convert::Value> value;
  if (info[1].IsString()) value = convert::Value::utf8(info[1].As<Napi::String>().Utf8Value());
  core_->Reply(call, std::move(value), eof);
  return env.Undefined();
}

Napi::Value Context::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(core_, "context is not attached");
  Napi::Object o = Napi::Object::New(env);
  o.Set("busy", core_->busy());
  o.Set("queued", static_cast<double>(core_->queued()));
  o.Set("calls", static_cast<double>(core_->calls()));
  o.Set("environments", static_cast<double>(core_->environments()));
  int64_t since = core_->busySinceMs();
  o.Set("busyForMs", since ? static_cast<double>(NowMs() - since) : 0.0);
  o.Set("currentCall", static_cast<double>(core_->currentCall()));
  return o;
}

// stop(): drops queued jobs (returns their call ids) and interrupts the running one.
Napi::Value Context::Stop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(core_, "context is not attached");
  return CallIdsToJs(env, core_->Stop());
}

}  // namespace pyc
