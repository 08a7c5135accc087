// The one embedded interpreter of this process: start-up, the runtime module's
// entry points, and finalization.
//
// GIL RULE: Start() and Finalize() run on the dedicated runtime thread (never the
// JS thread). The accessors return borrowed references that are only valid to use
// while holding the GIL and while the interpreter is running.
#pragma once
#include <Python.h>
#include <string>

namespace pyc {

struct StartConfig {
  std::string executable;   // python executable whose prefix/stdlib to use
  std::string pythonDir;    // folder holding the py_contexts package
};

class Interpreter {
 public:
  static Interpreter& Instance();

  // Initializes Python on the calling thread and imports py_contexts.runtime.
  // Returns false with `error` set on failure; leaves the GIL released on success.
  bool Start(const StartConfig& cfg, std::string& version, std::string& error);
  // Takes the GIL back on the runtime thread and finalizes. Only after every
  // context thread has deleted its thread state. Returns false, leaving the
  // interpreter as it is, when user atexit callbacks are still running at their
  // deadline (then call Abandon()).
  bool Finalize();
  // Leaves the interpreter running (a context thread is stuck in C code and could
  // still touch it); the process exit will reclaim it.
  void Abandon();

  bool running() const { return running_; }
  PyInterpreterState* interp() const { return interp_; }

  // Entry points of python/py_contexts/runtime.py (borrowed).
  PyObject* dispatch() const { return dispatch_; }
  PyObject* describeError() const { return describeError_; }
  PyObject* newEnv() const { return newEnv_; }
  PyObject* closeEnv() const { return closeEnv_; }
  // runtime.NO_VALUE: a result that means "nothing" (JS undefined).
  PyObject* noValue() const { return noValue_; }

 private:
  bool running_ = false;
  PyThreadState* mainState_ = nullptr;
  PyInterpreterState* interp_ = nullptr;
  PyObject* dispatch_ = nullptr;
  PyObject* describeError_ = nullptr;
  PyObject* newEnv_ = nullptr;
  PyObject* closeEnv_ = nullptr;
  PyObject* noValue_ = nullptr;
};

}  // namespace pyc
