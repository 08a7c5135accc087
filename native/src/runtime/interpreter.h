// The one embedded interpreter of this process: start-up, the runtime module's
// entry points, and finalization.
//
// GIL RULE: Start() and Finalize() run on the dedicated runtime thread (never the
// JS thread). The runtime module's entry points (runtime/runtime_entries.h) are owned
// references, so they are set and cleared only with the GIL held, on the runtime thread.
#pragma once
#include <Python.h>
#include <atomic>
#include <string>

#include "runtime/py_ref.h"
#include "runtime/runtime_entries.h"

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
  // deadline (then call Abandon()). With `processExiting` (Node is tearing down), it
  // also returns false after the atexit callbacks when threads that user code started
  // are still alive: they would wake into a freed interpreter while Node's teardown
  // still runs (a race inside CPython's take_gil, seen as SIGSEGV on 3.10), and the
  // exit reclaims everything anyway. On 3.10 it does so at every shutdown with user threads
  // alive (see kFinalizeRacesUserThreads).
  bool Finalize(bool processExiting);
  // Leaves the interpreter running (a context thread is stuck in C code and could
  // still touch it); the process exit will reclaim it.
  void Abandon();

  bool running() const { return running_; }
  PyInterpreterState* interp() const { return interp_; }
  // The entry points of python/py_contexts/runtime.py in the main interpreter.
  RuntimeEntries& entries() { return entries_; }
  // The folder holding the py_contexts package (own-GIL contexts import it too).
  const std::string& pythonDir() const { return pythonDir_; }
  // Own-GIL contexts that could not end their sub-interpreter (a thread of it still ran).
  // Py_FinalizeEx would end them itself and abort on the live thread, so while any exist
  // the interpreter is left to the process exit instead.
  void NoteAbandonedSubinterpreter() { abandonedSubs_.fetch_add(1); }
  bool subinterpretersAbandoned() const { return abandonedSubs_.load() > 0; }

 private:
  bool running_ = false;
  PyThreadState* mainState_ = nullptr;
  PyInterpreterState* interp_ = nullptr;
  RuntimeEntries entries_;
  std::string pythonDir_;
  std::atomic<int> abandonedSubs_{0};
};

}  // namespace pyc
