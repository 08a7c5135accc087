// The entry points of python/py_contexts/runtime.py in one interpreter: the main
// interpreter has one set (runtime/interpreter.h), every own-GIL context another, because
// objects of one interpreter must never be used in another.
//
// GIL RULE: Load(), Clear() and the accessors run with the GIL of the interpreter the
// entries belong to. Current() is for threads holding a GIL: a context thread finds its
// own entries in a thread-local; any other thread (a user's thread calling into
// _py_contexts_native) looks them up by its interpreter in a table behind a mutex.
#pragma once
#include <Python.h>

#include <array>
#include <string>

#include "runtime/py_ref.h"

namespace pyc {

class RuntimeEntries {
 public:
  RuntimeEntries() = default;
  RuntimeEntries(const RuntimeEntries&) = delete;
  RuntimeEntries& operator=(const RuntimeEntries&) = delete;
  // Forgets the references without touching them (no GIL: an abandoned interpreter, exit).
  ~RuntimeEntries();

  // GIL held: puts `pythonDir` first on sys.path, imports py_contexts.runtime and registers
  // these entries for the calling thread's interpreter. False with `error` set on failure.
  bool Load(const std::string& pythonDir, std::string& error);
  // GIL held: drops the references and the registration.
  void Clear();
  // Without the GIL: unregisters and forgets the references (the interpreter is abandoned).
  void Leak();

  PyObject* dispatch() const { return dispatch_.get(); }
  PyObject* describeError() const { return describeError_.get(); }
  PyObject* newEnv() const { return newEnv_.get(); }
  PyObject* closeEnv() const { return closeEnv_.get(); }
  // runtime.NO_VALUE: a result that means "nothing" (JS undefined).
  PyObject* noValue() const { return noValue_.get(); }

  // GIL held: the entries of the calling thread's interpreter, or null if none were loaded there.
  static RuntimeEntries* Current();
  // A context thread's own entries, found without a lookup (null when the thread ends).
  static void SetThreadCurrent(RuntimeEntries* entries);

 private:
  std::array<PyRef*, 5> all() { return {&dispatch_, &describeError_, &newEnv_, &closeEnv_, &noValue_}; }
  void Unregister();

  PyRef dispatch_, describeError_, newEnv_, closeEnv_, noValue_;
  PyInterpreterState* interp_ = nullptr;
};

// The text of the raised exception ("TypeError: …"), clearing it. GIL held.
std::string FetchErrorText();

}  // namespace pyc
