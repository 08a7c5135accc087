// Engine: the JS-visible owner of the interpreter, its runtime thread, the event
// channel to JS and every context.
//
//   new Engine(onEvent, PyValue)
//   engine.start(executable, pythonDir): Promise<string>   sys.version
//   engine.createContext(id): Context                       a new thread
//   engine.retire(ctx): void                                stop one context (restart)
//   engine.shutdown(): Promise<boolean>                     true if Python was finalized
//   engine.setRef(boolean)                                  keep Node alive while calls run
//   engine.setCwd(process, dir) / cwdOf(process) / forgetCwd(process)
//                                                           working directories (runtime/workdirs.h)
//   engine.privateCwd(): boolean                            whether contexts can have their own
//   engine.bridge(): object                                 shared state + host calls (objects/bridge.h)
//   engine.drain(): void                                    dispatch the next turn's events (after More)
//   engine.setSpin(us) / spinStats()                        the completion spin (objects/completion_spin.h)
//
// Events reach JS as onEvent(call, kind, value) (kinds: see runtime/events.h). One turn
// dispatches a bounded amount (3 ms, 256 KiB of output, 16 settled calls); what is left
// waits for engine.drain(), which JS calls on a later turn when it gets the More event.
// GIL RULE: nothing in this class takes the GIL on the JS thread. Interpreter start
// and finalization happen on the runtime thread.
#pragma once
#include <napi.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "objects/completion_spin.h"
#include "objects/context.h"
#include "runtime/events.h"
#include "runtime/interpreter.h"

namespace pyc {

class Engine : public Napi::ObjectWrap<Engine> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Engine(const Napi::CallbackInfo& info);
  ~Engine() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value CreateContext(const Napi::CallbackInfo& info);
  Napi::Value Retire(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  Napi::Value SetRef(const Napi::CallbackInfo& info);
  Napi::Value SetCwd(const Napi::CallbackInfo& info);
  Napi::Value CwdOf(const Napi::CallbackInfo& info);
  Napi::Value ForgetCwd(const Napi::CallbackInfo& info);
  Napi::Value PrivateCwd(const Napi::CallbackInfo& info);
  Napi::Value Bridge(const Napi::CallbackInfo& info);
  Napi::Value Drain(const Napi::CallbackInfo& info);
  Napi::Value SetSpin(const Napi::CallbackInfo& info);
  Napi::Value SpinStats(const Napi::CallbackInfo& info);

  static void CallJs(napi_env env, napi_value fn, void* context, void* data);
  static void Cleanup(void* arg);
  void Dispatch(Napi::Env env);
  void DispatchHanded();
  // Stops contexts, then finalizes on the runtime thread. Blocks the caller up to
  // `waitMs` for the runtime thread to finish (0: do not wait).
  void BeginShutdown();
  void ReleaseChannel();

  std::shared_ptr<EventSink> sink_ = std::make_shared<EventSink>();
  std::shared_ptr<WorkDirs> workdirs_ = std::make_shared<WorkDirs>();
  napi_threadsafe_function tsfn_ = nullptr;
  std::unique_ptr<CompletionSpin> spin_;
  Napi::ObjectReference asyncResource_;
  napi_async_context asyncContext_ = nullptr;
  Napi::FunctionReference onEvent_;
  Napi::FunctionReference pyValue_;
  napi_env env_ = nullptr;
  bool cleanupHooked_ = false;

  // Runtime thread: initializes Python, then waits to finalize it.
  std::thread runtime_;
  std::mutex m_;
  std::condition_variable cv_;
  bool finalizeRequested_ = false;
  // Set (under m_) when the shutdown comes from the environment's teardown: Node is
  // exiting, so finalization is skipped while user threads could still wake into it.
  bool processExiting_ = false;
  bool runtimeDone_ = false;
  bool started_ = false;
  bool shutdownBegun_ = false;
  std::vector<std::shared_ptr<ContextCore>> contexts_;  // live and retired
  std::shared_ptr<bool> finalized_ = std::make_shared<bool>(false);
};

}  // namespace pyc
