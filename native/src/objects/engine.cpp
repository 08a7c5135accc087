#include "objects/engine.h"

#include <atomic>
#include <chrono>

#include "convert/to_js.h"
#include "errors/capture.h"
#include "objects/addon_data.h"
#include "objects/bridge.h"
#include "runtime/host_calls.h"
#include "objects/macros.h"
#include "runtime/interrupter.h"
#include "runtime/releaser.h"

namespace pyc {
namespace {

// One libpython per process: a second Node environment (a worker thread) must not
// start it again while it runs.
std::atomic<bool> gPythonOwned{false};

// How long shutdown waits for each context thread before abandoning it (a
// thread stuck in a blocking C call cannot be stopped from outside).
constexpr int kJoinTimeoutMs = 3000;

}  // namespace

Napi::Function Engine::Define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {
                         InstanceMethod("start", &Engine::Start),
                         InstanceMethod("createContext", &Engine::CreateContext),
                         InstanceMethod("retire", &Engine::Retire),
                         InstanceMethod("shutdown", &Engine::Shutdown),
                         InstanceMethod("setRef", &Engine::SetRef),
                         InstanceMethod("setCwd", &Engine::SetCwd),
                         InstanceMethod("cwdOf", &Engine::CwdOf),
                         InstanceMethod("forgetCwd", &Engine::ForgetCwd),
                         InstanceMethod("privateCwd", &Engine::PrivateCwd),
                         InstanceMethod("bridge", &Engine::Bridge),
                         InstanceMethod("drain", &Engine::Drain),
                         InstanceMethod("setSpin", &Engine::SetSpin),
                         InstanceMethod("spinStats", &Engine::SpinStats),
                     });
}

Engine::Engine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Engine>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "new Engine(onEvent, PyValue) expects two functions").ThrowAsJavaScriptException();
    return;
  }
  onEvent_ = Napi::Persistent(info[0].As<Napi::Function>());
  pyValue_ = Napi::Persistent(info[1].As<Napi::Function>());
  napi_value name = Napi::String::New(env, "py-contexts-events");
  napi_status st = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, this,
                                                   &Engine::CallJs, &tsfn_);
  if (st != napi_ok) {
    Napi::Error::New(env, "could not create the event channel").ThrowAsJavaScriptException();
    return;
  }
  // Idle engines must not keep Node alive; JS refs the channel while calls run.
  napi_unref_threadsafe_function(env, tsfn_);
  sink_->Open(tsfn_);
  // The spin dispatches from a prepare callback, outside any callback of Node's: it needs an
  // async context of its own for the callback scope that runs promise continuations after it.
  asyncResource_ = Napi::Persistent(Napi::Object::New(env));
  if (napi_async_init(env, asyncResource_.Value(), Napi::String::New(env, "py-contexts-spin"), &asyncContext_) != napi_ok) {
    asyncContext_ = nullptr;
  }
  spin_ = std::make_unique<CompletionSpin>(env, sink_, [this]() { DispatchHanded(); });
  if (!asyncContext_) spin_->SetWindow(0);
  sink_->SetSpin(spin_.get());
  napi_add_env_cleanup_hook(env, &Engine::Cleanup, this);
  cleanupHooked_ = true;
}

Engine::~Engine() {
  if (cleanupHooked_) {
    napi_remove_env_cleanup_hook(env_, &Engine::Cleanup, this);
    Cleanup(this);
  }
}

void Engine::CallJs(napi_env env, napi_value, void* context, void*) {
  if (!env) return;  // the environment is going away
  static_cast<Engine*>(context)->Dispatch(Napi::Env(env));
}

// A turn's budget. Each event's JS handler runs inside this loop and the promise
// continuations of settled calls right after it, so all three bound the stall one
// wake-up causes: a 50 MB print flood or 100 calls ending together used to be handled
// in one go, 80-130 ms of the extension host's thread (issue 17).
constexpr auto kDispatchTime = std::chrono::milliseconds(3);
constexpr size_t kDispatchOutput = 256 * 1024;
constexpr int kDispatchSettles = 16;

void Engine::Dispatch(Napi::Env env) {
  if (onEvent_.IsEmpty()) {
    // Nobody listens (teardown): drop what is queued so writers waiting for room go on.
    Event e;
    while (sink_->Pop(e)) {
    }
    return;
  }
  Napi::Function onEvent = onEvent_.Value();
  Napi::Function pyValue = pyValue_.Value();
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Function unpack = data && !data->unpackNumbers.IsEmpty() ? data->unpackNumbers.Value() : Napi::Function();
  const auto start = std::chrono::steady_clock::now();
  size_t output = 0;
  int settles = 0;
  Event e;
  while (true) {
    if (output >= kDispatchOutput || settles >= kDispatchSettles || std::chrono::steady_clock::now() - start >= kDispatchTime) {
      // Events may still wait (Pop was not called, so the sink still counts on us):
      // JS drains again on a later turn.
      Napi::HandleScope scope(env);
      try {
        onEvent.Call({Napi::Number::New(env, 0), Napi::Number::New(env, static_cast<int>(EventKind::More)), env.Undefined()});
      } catch (const Napi::Error& err) {
        fprintf(stderr, "[py-contexts] event handler threw: %s\n", err.Message().c_str());
      }
      return;
    }
    if (!sink_->Pop(e)) return;
    Napi::HandleScope scope(env);
    try {
      if (e.kind == EventKind::Control) {
        if (e.control) e.control(env);
        e.control = nullptr;
        continue;
      }
      EventKind kind = e.kind;
      if (kind == EventKind::Result || kind == EventKind::Error) settles++;
      else if (kind == EventKind::Stdout || kind == EventKind::Stderr) output += e.value.text.size();
      Napi::Value value;
      try {
        value = convert::ToJs(env, e.value, pyValue, unpack);
      } catch (const Napi::Error& err) {
        // A value JS cannot hold must still settle its call (it used to hang forever):
        // a result or error becomes a TypeError; an output or display chunk is dropped.
        if (kind != EventKind::Result && kind != EventKind::Error) continue;
        convert::Value info = errors::MakeError("TypeError", "Cannot convert the result to JS: " + err.Message());
        value = convert::ToJs(env, info, pyValue);
        kind = EventKind::Error;
      }
      e.value = convert::Value();
      onEvent.Call({Napi::Number::New(env, e.call), Napi::Number::New(env, static_cast<int>(kind)), value});
    } catch (const Napi::Error& err) {
      // The JS side guards its callbacks; anything escaping is reported, never fatal.
      fprintf(stderr, "[py-contexts] event handler threw: %s\n", err.Message().c_str());
    }
  }
}

// The completion spin was handed events (objects/completion_spin.h): dispatch them as the
// threadsafe function's callback would, inside a callback scope, so that closing it runs the
// microtasks (the settled promises' continuations) and process.nextTick callbacks.
void Engine::DispatchHanded() {
  Napi::Env env(env_);
  Napi::HandleScope handles(env);
  napi_callback_scope scope = nullptr;
  if (napi_open_callback_scope(env_, asyncResource_.Value(), asyncContext_, &scope) != napi_ok) {
    Dispatch(env);
    return;
  }
  Dispatch(env);
  napi_close_callback_scope(env_, scope);
}

// drain(): the next turn's events, after a More event.
Napi::Value Engine::Drain(const Napi::CallbackInfo& info) {
  Dispatch(info.Env());
  return info.Env().Undefined();
}

// setSpin(us: number): the completion spin's window; 0 turns it off.
Napi::Value Engine::SetSpin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 1 && info[0].IsNumber(), "setSpin(us) expects a number");
  double us = info[0].As<Napi::Number>().DoubleValue();
  PYC_CHECK_ARG(us >= 0 && us <= 1000, "setSpin(us): us must be between 0 and 1000");
  if (spin_) spin_->SetWindow(static_cast<uint32_t>(us));
  return env.Undefined();
}

// spinStats(): { hits, misses, skipped, spunUs }
Napi::Value Engine::SpinStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  CompletionSpin::Stats s = spin_ ? spin_->stats() : CompletionSpin::Stats{};
  out.Set("hits", Napi::Number::New(env, static_cast<double>(s.hits)));
  out.Set("misses", Napi::Number::New(env, static_cast<double>(s.misses)));
  out.Set("skipped", Napi::Number::New(env, static_cast<double>(s.skipped)));
  out.Set("spunUs", Napi::Number::New(env, static_cast<double>(s.spunNs) / 1000.0));
  return out;
}

// start(executable: string, pythonDir: string): Promise<string>
Napi::Value Engine::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 2 && info[0].IsString() && info[1].IsString(), "start(executable, pythonDir) expects two strings");
  auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
  Napi::Promise promise = deferred->Promise();
  if (started_) {
    deferred->Reject(Napi::Error::New(env, "this engine was already started").Value());
    return promise;
  }
  bool expected = false;
  if (!gPythonOwned.compare_exchange_strong(expected, true)) {
    deferred->Reject(Napi::Error::New(env, "Python is already running in this process (another Node.js environment "
                                           "or engine owns it); only one embedded interpreter can exist per process")
                         .Value());
    return promise;
  }
  started_ = true;
  StartConfig cfg{info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value()};
  auto sink = sink_;
  auto finalized = finalized_;
  runtime_ = std::thread([this, cfg, sink, deferred, finalized]() {
    std::string version, error;
    bool ok = Interpreter::Instance().Start(cfg, version, error);
    Event e;
    e.kind = EventKind::Control;
    e.control = [deferred, ok, version, error](Napi::Env env) {
      if (ok) deferred->Resolve(Napi::String::New(env, version));
      else deferred->Reject(Napi::Error::New(env, error).Value());
    };
    sink->Push(std::move(e));
    if (!ok) {
      gPythonOwned.store(false);
      std::lock_guard<std::mutex> lock(m_);
      runtimeDone_ = true;
      cv_.notify_all();
      return;
    }
    // Wait for shutdown, then join contexts and finalize on this same thread.
    std::vector<std::shared_ptr<ContextCore>> contexts;
    bool exiting;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return finalizeRequested_; });
      contexts = contexts_;
      exiting = processExiting_;
    }
    bool allJoined = true;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kJoinTimeoutMs);
    for (auto& c : contexts) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (!c->WaitExited(static_cast<int>(std::max<int64_t>(left.count(), 50)))) allJoined = false;
      c->JoinOrDetach(0);
    }
    interrupter::Stop();
    releaser::Stop();
    if (allJoined && !Interpreter::Instance().subinterpretersAbandoned() && Interpreter::Instance().Finalize(exiting)) {
      *finalized = true;
      gPythonOwned.store(false);
    } else {
      Interpreter::Instance().Abandon();
    }
    std::lock_guard<std::mutex> lock(m_);
    runtimeDone_ = true;
    cv_.notify_all();
  });
  return promise;
}

// createContext(id: string, mode?: 'worker' | 'owngil'): Context
Napi::Value Engine::CreateContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 1 && info[0].IsString(), "createContext(id, mode) expects a string id");
  ContextMode mode = ContextMode::Worker;
  if (info.Length() >= 2 && !info[1].IsUndefined()) {
    PYC_CHECK_ARG(info[1].IsString(), "createContext(id, mode): mode must be 'worker' or 'owngil'");
    std::string m = info[1].As<Napi::String>().Utf8Value();
    PYC_CHECK_ARG(m == "worker" || m == "owngil", "createContext(id, mode): mode must be 'worker' or 'owngil'");
    mode = m == "owngil" ? ContextMode::OwnGil : ContextMode::Worker;
  }
  if (mode == ContextMode::OwnGil && !kOwnGilSupported) {
    Napi::Error::New(env, "own-GIL contexts need an engine core built for Python 3.12 or later").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!Interpreter::Instance().running() || shutdownBegun_) {
    Napi::Error::New(env, "Python is not running").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto core = std::make_shared<ContextCore>(info[0].As<Napi::String>().Utf8Value(), mode, sink_, workdirs_);
  std::string error;
  if (!core->Start(error)) {
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  {
    std::lock_guard<std::mutex> lock(m_);
    contexts_.push_back(core);
  }
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Object handle = data->contextCtor.New({});
  Context::Unwrap(handle)->Attach(core);
  return handle;
}

// retire(ctx): stops a context for good (used by restart); returns dropped call ids.
Napi::Value Engine::Retire(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 1 && info[0].IsObject(), "retire(context) expects a Context");
  auto core = Context::Unwrap(info[0].As<Napi::Object>())->core();
  Napi::Array out = CallIdsToJs(env, core->Stop());
  // The thread exits once its current job returns; reap it on a helper thread so
  // a context stuck in C code does not block anyone. Finalization skips it if it
  // is still alive then.
  std::thread([core]() {
    if (core->WaitExited(24 * 3600 * 1000)) core->JoinOrDetach(0);
  }).detach();
  return out;
}

void Engine::BeginShutdown() {
  std::vector<std::shared_ptr<ContextCore>> contexts;
  {
    std::lock_guard<std::mutex> lock(m_);
    if (shutdownBegun_) return;
    shutdownBegun_ = true;
    contexts = contexts_;
  }
  host::Close();  // Python threads waiting in host.call() must not outlive the JS side
  for (auto& c : contexts) c->Stop();
  std::lock_guard<std::mutex> lock(m_);
  finalizeRequested_ = true;
  cv_.notify_all();
}

// shutdown(): Promise<boolean>  true when the interpreter was finalized
Napi::Value Engine::Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
  Napi::Promise promise = deferred->Promise();
  if (!started_) {
    deferred->Resolve(Napi::Boolean::New(env, false));
    return promise;
  }
  BeginShutdown();
  // Wait for the runtime thread off the JS thread, then settle on it.
  auto sink = sink_;
  auto finalized = finalized_;
  std::thread([this, sink, deferred, finalized]() {
    bool done;
    {
      // Finalization normally ends in well under a second. It can block for good when a
      // thread that was stopped or abandoned left an interpreter-wide lock taken (seen: the
      // import lock, about 1 run in 15 of the stuck-in-C shutdown test). Past the deadline the
      // interpreter is left to the process exit, as with a context stuck in C: the promise
      // resolves false instead of never.
      std::unique_lock<std::mutex> lock(m_);
      done = cv_.wait_for(lock, std::chrono::seconds(10), [&] { return runtimeDone_; });
    }
    Event e;
    e.kind = EventKind::Control;
    e.control = [deferred, finalized, done](Napi::Env env) { deferred->Resolve(Napi::Boolean::New(env, done && *finalized)); };
    sink->Push(std::move(e));
  }).detach();
  return promise;
}

Napi::Value Engine::SetRef(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (tsfn_) {
    if (info.Length() > 0 && info[0].ToBoolean().Value()) napi_ref_threadsafe_function(env, tsfn_);
    else napi_unref_threadsafe_function(env, tsfn_);
  }
  return env.Undefined();
}

// setCwd(process: string, dir: string): the directory the process's next job starts in.
Napi::Value Engine::SetCwd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 2 && info[0].IsString() && info[1].IsString(), "setCwd(process, dir) expects two strings");
  workdirs_->Set(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
  return env.Undefined();
}

// cwdOf(process: string): string | undefined
Napi::Value Engine::CwdOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 1 && info[0].IsString(), "cwdOf(process) expects a string");
  std::string dir = workdirs_->Get(info[0].As<Napi::String>().Utf8Value());
  if (dir.empty()) return env.Undefined();
  return Napi::String::New(env, dir);
}

Napi::Value Engine::ForgetCwd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 1 && info[0].IsString(), "forgetCwd(process) expects a string");
  workdirs_->Forget(info[0].As<Napi::String>().Utf8Value());
  return env.Undefined();
}

Napi::Value Engine::PrivateCwd(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), PrivateThreadFsSupported());
}

// bridge(): the shared-state and host-call functions (objects/bridge.h).
Napi::Value Engine::Bridge(const Napi::CallbackInfo& info) {
  return MakeBridge(info.Env(), sink_, pyValue_.Value());
}

void Engine::ReleaseChannel() {
  sink_->Close();
  if (tsfn_) {
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
    tsfn_ = nullptr;
  }
}

// Node is tearing this environment down (process exit or worker end): stop the
// contexts, give the runtime thread a bounded time to finalize, and close the
// channel only after no worker can use it any more.
void Engine::Cleanup(void* arg) {
  auto* self = static_cast<Engine*>(arg);
  if (!self->cleanupHooked_) return;
  self->cleanupHooked_ = false;
  if (self->started_) {
    {
      std::lock_guard<std::mutex> lock(self->m_);
      self->processExiting_ = true;
    }
    self->BeginShutdown();
    std::unique_lock<std::mutex> lock(self->m_);
    bool done = self->cv_.wait_for(lock, std::chrono::milliseconds(kJoinTimeoutMs + 2000),
                                   [&] { return self->runtimeDone_; });
    lock.unlock();
    if (done && self->runtime_.joinable()) self->runtime_.join();
    else if (self->runtime_.joinable()) self->runtime_.detach();
  }
  self->ReleaseChannel();
  self->sink_->SetSpin(nullptr);
  if (self->spin_) self->spin_->Close();
  if (self->asyncContext_) {
    napi_async_destroy(self->env_, self->asyncContext_);
    self->asyncContext_ = nullptr;
  }
  self->asyncResource_.Reset();
  self->onEvent_.Reset();
  self->pyValue_.Reset();
}

}  // namespace pyc
