#include "runtime/runtime_entries.h"

#include <mutex>
#include <unordered_map>

#include "runtime/py_error.h"

namespace pyc {
namespace {

thread_local RuntimeEntries* tlEntries = nullptr;

struct Registry {
  std::mutex m;
  std::unordered_map<PyInterpreterState*, RuntimeEntries*> byInterp;
};

Registry& Reg() {
  static Registry* r = new Registry();  // leaked on purpose: used during process exit
  return *r;
}

}  // namespace

std::string FetchErrorText() {
  PyRef v = TakeRaisedException();
  std::string out = "unknown error";
  if (v) {
    PyRef s = PyRef::steal(PyObject_Str(v.get()));
    const char* c = s ? PyUnicode_AsUTF8(s.get()) : nullptr;
    out = std::string(Py_TYPE(v.get())->tp_name) + ": " + (c ? c : "");
  }
  PyErr_Clear();
  return out;
}

RuntimeEntries::~RuntimeEntries() { Leak(); }

bool RuntimeEntries::Load(const std::string& pythonDir, std::string& error) {
  PyObject* path = PySys_GetObject("path");  // borrowed
  PyRef dir = PyRef::steal(PyUnicode_FromString(pythonDir.c_str()));
  if (!path || !dir || PyList_Insert(path, 0, dir.get()) < 0) {
    error = "could not extend sys.path: " + FetchErrorText();
    return false;
  }
  PyRef mod = PyRef::steal(PyImport_ImportModule("py_contexts.runtime"));
  if (!mod) {
    error = "could not import py_contexts.runtime from " + pythonDir + ": " + FetchErrorText();
    return false;
  }
  auto attr = [&](const char* name) { return PyRef::steal(PyObject_GetAttrString(mod.get(), name)); };
  dispatch_ = attr("dispatch");
  describeError_ = attr("describe_error");
  newEnv_ = attr("new_env");
  closeEnv_ = attr("close_env");
  noValue_ = attr("NO_VALUE");
  for (PyRef* r : all()) {
    if (!*r) {
      error = "py_contexts.runtime is incomplete: " + FetchErrorText();
      Clear();
      return false;
    }
  }
  interp_ = PyInterpreterState_Get();
  std::lock_guard<std::mutex> lock(Reg().m);
  Reg().byInterp[interp_] = this;
  return true;
}

void RuntimeEntries::Unregister() {
  if (tlEntries == this) tlEntries = nullptr;
  if (!interp_) return;
  std::lock_guard<std::mutex> lock(Reg().m);
  auto it = Reg().byInterp.find(interp_);
  if (it != Reg().byInterp.end() && it->second == this) Reg().byInterp.erase(it);
  interp_ = nullptr;
}

void RuntimeEntries::Clear() {
  Unregister();
  for (PyRef* r : all()) r->reset();
}

void RuntimeEntries::Leak() {
  Unregister();
  for (PyRef* r : all()) r->release();
}

RuntimeEntries* RuntimeEntries::Current() {
  if (tlEntries) return tlEntries;
  PyInterpreterState* interp = PyInterpreterState_Get();
  std::lock_guard<std::mutex> lock(Reg().m);
  auto it = Reg().byInterp.find(interp);
  return it == Reg().byInterp.end() ? nullptr : it->second;
}

void RuntimeEntries::SetThreadCurrent(RuntimeEntries* entries) { tlEntries = entries; }

}  // namespace pyc
