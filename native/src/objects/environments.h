// Environments: the table of one context's Python environments (py_contexts.runtime's
// env objects), one per process id, created on the first job of that process.
//
// GIL RULE: only the context thread uses the table, and only while it holds the GIL:
// entries are owned references (PyRef), and creating or closing one runs Python
// (runtime.new_env / runtime.close_env). count() is an atomic any thread may read.
#pragma once
#include <Python.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "runtime/runtime_entries.h"
#include "runtime/py_ref.h"

namespace pyc {

class Environments {
 public:
  // The environment of `process`, created on first use. Borrowed (the table owns it);
  // null with a Python error set when runtime.new_env failed.
  PyObject* Get(const std::string& process) {
    auto it = envs_.find(process);
    if (it != envs_.end()) return it->second.get();
    PyRef name = PyRef::steal(PyUnicode_FromStringAndSize(process.data(), static_cast<Py_ssize_t>(process.size())));
    if (!name) return nullptr;
    // Created in the interpreter this context runs in, by that interpreter's runtime.
    PyRef env = PyRef::steal(PyObject_CallOneArg(RuntimeEntries::Current()->newEnv(), name.get()));
    if (!env) return nullptr;
    PyObject* borrowed = env.get();
    envs_.emplace(process, std::move(env));
    Publish();
    return borrowed;
  }

  // The environment of `process` if it has one, else null (no Python error). Borrowed.
  PyObject* Find(const std::string& process) const {
    auto it = envs_.find(process);
    return it == envs_.end() ? nullptr : it->second.get();
  }

  // Closes the environment of `process`, if it has one.
  void Close(const std::string& process) {
    auto it = envs_.find(process);
    if (it == envs_.end()) return;
    PyRef env = std::move(it->second);
    envs_.erase(it);
    Publish();
    CloseOne(env);
  }

  // Closes every environment (the context thread is about to exit).
  void CloseAll() {
    auto envs = std::move(envs_);
    envs_.clear();
    Publish();
    for (auto& [process, env] : envs) CloseOne(env);
  }

  uint32_t count() const { return count_.load(); }

 private:
  // The one place an environment is closed. runtime.close_env runs user-visible
  // cleanup (atexit-like hooks, open files); a failure there must not stop the rest.
  static void CloseOne(const PyRef& env) {
    PyRef r = PyRef::steal(PyObject_CallOneArg(RuntimeEntries::Current()->closeEnv(), env.get()));
    if (!r) PyErr_Clear();
  }
  void Publish() { count_.store(static_cast<uint32_t>(envs_.size())); }

  std::unordered_map<std::string, PyRef> envs_;
  std::atomic<uint32_t> count_{0};
};

}  // namespace pyc
