// The one embedded interpreter of this process: start-up, the runtime module's
// entry points, and finalization.
//
// GIL RULE: Start() and Finalize() run on the dedicated runtime thread (never the
// JS thread). The runtime module's entry points are owned references (PyRef), so
// they are set and cleared only with the GIL held, on the runtime thread. The
// accessors return them borrowed: valid to use while holding the GIL and while the
// interpreter is running.
#pragma once
#include <Python.h>
#include <array>
#include <string>

#include "runtime/py_ref.h"

namespace pyc {

struct StartConfig {
  std::string executable;   // python executable whose prefix/stdlib to use
  std::string pythonDir;    // folder holding the py_contexts package
};

class Interpreter {
 public:
  static Interpreter& Instance();
  // The process is exiting; the GIL is not held, so references are not touched.
  ~Interpreter() { entries_.Leak(); }

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
  PyObject* dispatch() const { return entries_.dispatch.get(); }
  PyObject* describeError() const { return entries_.describeError.get(); }
  PyObject* newEnv() const { return entries_.newEnv.get(); }
  PyObject* closeEnv() const { return entries_.closeEnv.get(); }
  // runtime.NO_VALUE: a result that means "nothing" (JS undefined).
  PyObject* noValue() const { return entries_.noValue.get(); }

 private:
  bool running_ = false;
  PyThreadState* mainState_ = nullptr;
  PyInterpreterState* interp_ = nullptr;
  struct RuntimeEntries {
    PyRef dispatch, describeError, newEnv, closeEnv, noValue;
    bool complete() const { return dispatch && describeError && newEnv && closeEnv && noValue; }
    // GIL held: the one place they are dropped.
    void Clear() { for (PyRef* r : all()) r->reset(); }
    // Without the GIL (static destruction at exit, an abandoned interpreter): forget them.
    void Leak() { for (PyRef* r : all()) r->release(); }
    std::array<PyRef*, 5> all() { return {&dispatch, &describeError, &newEnv, &closeEnv, &noValue}; }
  };
  RuntimeEntries entries_;
};

}  // namespace pyc
