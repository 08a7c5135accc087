// RAII holds of the GIL.
//
// GIL RULE for the whole addon:
//  * The JS (main Node) thread NEVER takes the GIL and never touches a PyObject.
//  * Context threads take the GIL with GilHold around each batch of jobs and give it
//    back with GilRelease around anything that may block (waiting for the JS side,
//    sleeping, backpressure on output).
//  * The interrupter thread takes it briefly with GilEnsure to deliver async exceptions,
//    because PyThreadState_SetAsyncExc needs the target interpreter's GIL.
#pragma once
#include <Python.h>

namespace pyc {

// Takes the GIL with an existing thread state owned by this thread.
class GilHold {
 public:
  explicit GilHold(PyThreadState* ts) : ts_(ts) { PyEval_RestoreThread(ts_); }
  ~GilHold() { PyEval_SaveThread(); }
  GilHold(const GilHold&) = delete;
  GilHold& operator=(const GilHold&) = delete;

 private:
  PyThreadState* ts_;
};

// Gives the GIL back for the scope (the thread must hold it on entry).
class GilRelease {
 public:
  GilRelease() : ts_(PyEval_SaveThread()) {}
  ~GilRelease() { PyEval_RestoreThread(ts_); }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  PyThreadState* ts_;
};

// For threads without a thread state of their own (the interrupter).
class GilEnsure {
 public:
  GilEnsure() : state_(PyGILState_Ensure()) {}
  ~GilEnsure() { PyGILState_Release(state_); }
  GilEnsure(const GilEnsure&) = delete;
  GilEnsure& operator=(const GilEnsure&) = delete;

 private:
  PyGILState_STATE state_;
};

}  // namespace pyc
