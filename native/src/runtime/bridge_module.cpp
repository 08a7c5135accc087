#include "runtime/bridge_module.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "convert/from_python.h"
#include "convert/to_python.h"
#include "objects/context.h"
#include "runtime/gil.h"
#include "runtime/host_calls.h"
#include "runtime/py_ref.h"
#include "runtime/state_store.h"

namespace pyc {
namespace {

using convert::Value;
using state::Fail;
using state::Store;

bool KeyOf(PyObject* o, std::string& key) {
  if (!PyUnicode_Check(o)) {
    PyErr_Format(PyExc_TypeError, "shared state keys must be str, not %s", Py_TYPE(o)->tp_name);
    return false;
  }
  Py_ssize_t n;
  const char* s = PyUnicode_AsUTF8AndSize(o, &n);
  if (!s) return false;
  key.assign(s, static_cast<size_t>(n));
  return true;
}

// Copies a Python value into a storable tree; TypeError naming the key otherwise.
bool ValueFor(const std::string& key, PyObject* o, Value& out) {
  std::string error;
  if (!convert::FromPython(o, out, error)) {
    PyErr_Format(PyExc_TypeError, "state['%s']: %s", key.c_str(), error.c_str());
    return false;
  }
  state::Result r = Store::Prepare(key, out);
  if (!r.ok()) {
    PyErr_SetString(PyExc_TypeError, r.message.c_str());
    return false;
  }
  return true;
}

PyObject* Raise(const state::Result& r) {
  switch (r.fail) {
    case Fail::Missing: {
      PyRef k = PyRef::steal(PyUnicode_FromStringAndSize(r.message.data(), static_cast<Py_ssize_t>(r.message.size())));
      if (k) PyErr_SetObject(PyExc_KeyError, k.get());
      break;
    }
    case Fail::Type: PyErr_SetString(PyExc_TypeError, r.message.c_str()); break;
    case Fail::Limit: PyErr_SetString(PyExc_MemoryError, r.message.c_str()); break;
    case Fail::Overflow: PyErr_SetString(PyExc_OverflowError, r.message.c_str()); break;
    case Fail::None: PyErr_SetString(PyExc_SystemError, "shared state: no error"); break;
  }
  return nullptr;
}

PyObject* Out(const Value& v) { return convert::ToPython(v).release(); }

#define PYC_NARGS(n, sig)                                          \
  if (nargs != (n)) {                                              \
    PyErr_SetString(PyExc_TypeError, sig " takes " #n " argument(s)"); \
    return nullptr;                                                \
  }

PyObject* StateGet(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(1, "state_get(key)");
  std::string key;
  if (!KeyOf(args[0], key)) return nullptr;
  Value v;
  state::Result r = Store::Instance().Get(key, v);
  if (!r.ok()) return Raise(r);
  return Out(v);
}

PyObject* StateSet(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(2, "state_set(key, value)");
  std::string key;
  Value v;
  if (!KeyOf(args[0], key) || !ValueFor(key, args[1], v)) return nullptr;
  state::Result r = Store::Instance().Set(key, std::move(v));
  if (!r.ok()) return Raise(r);
  Py_RETURN_NONE;
}

PyObject* StateDelete(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(1, "state_delete(key)");
  std::string key;
  if (!KeyOf(args[0], key)) return nullptr;
  state::Result r = Store::Instance().Delete(key);
  if (!r.ok()) return Raise(r);
  Py_RETURN_NONE;
}

PyObject* StateContains(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(1, "state_contains(key)");
  if (!PyUnicode_Check(args[0])) Py_RETURN_FALSE;
  std::string key;
  if (!KeyOf(args[0], key)) return nullptr;
  return PyBool_FromLong(Store::Instance().Contains(key));
}

PyObject* StateKeys(PyObject*, PyObject*) {
  std::vector<std::string> keys = Store::Instance().Keys();
  PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(keys.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < keys.size(); i++) {
    PyObject* s = PyUnicode_DecodeUTF8(keys[i].data(), static_cast<Py_ssize_t>(keys[i].size()), "surrogatepass");
    if (!s) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), s);
  }
  return list.release();
}

PyObject* StateLen(PyObject*, PyObject*) { return PyLong_FromSize_t(Store::Instance().Size()); }

PyObject* StateIncr(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(2, "state_incr(key, n)");
  std::string key;
  if (!KeyOf(args[0], key)) return nullptr;
  Value by;
  if (PyBool_Check(args[1]) || !(PyLong_Check(args[1]) || PyFloat_Check(args[1]))) {
    PyErr_Format(PyExc_TypeError, "state.incr('%s', n): n must be an int or a float, not %s", key.c_str(),
                 Py_TYPE(args[1])->tp_name);
    return nullptr;
  }
  if (PyFloat_Check(args[1])) {
    by = Value::number(PyFloat_AS_DOUBLE(args[1]));
  } else {
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(args[1], &overflow);
    if (overflow || n > (1LL << 53) || n < -(1LL << 53)) {
      PyErr_Format(PyExc_OverflowError, "state.incr('%s', n): n must be within ±2**53", key.c_str());
      return nullptr;
    }
    if (n == -1 && PyErr_Occurred()) return nullptr;
    by = Value::integer(n);
  }
  Value out;
  state::Result r = Store::Instance().Incr(key, by, out);
  if (!r.ok()) return Raise(r);
  return Out(out);
}

PyObject* StateSetDefault(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(2, "state_setdefault(key, default)");
  std::string key;
  Value v;
  if (!KeyOf(args[0], key) || !ValueFor(key, args[1], v)) return nullptr;
  Value out;
  state::Result r = Store::Instance().SetDefault(key, std::move(v), out);
  if (!r.ok()) return Raise(r);
  return Out(out);
}

// state_update(pairs: list of (key, value)): all converted first, then stored in one step.
PyObject* StateUpdate(PyObject*, PyObject* pairs) {
  PyRef seq = PyRef::steal(PySequence_Fast(pairs, "state_update expects a sequence of pairs"));
  if (!seq) return nullptr;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
  std::vector<std::pair<std::string, Value>> items;
  items.reserve(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject* pair = PySequence_Fast_GET_ITEM(seq.get(), i);
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
      PyErr_SetString(PyExc_TypeError, "state_update expects (key, value) pairs");
      return nullptr;
    }
    std::string key;
    Value v;
    if (!KeyOf(PyTuple_GET_ITEM(pair, 0), key) || !ValueFor(key, PyTuple_GET_ITEM(pair, 1), v)) return nullptr;
    items.emplace_back(std::move(key), std::move(v));
  }
  state::Result r = Store::Instance().Update(std::move(items));
  if (!r.ok()) return Raise(r);
  Py_RETURN_NONE;
}

PyObject* StateClear(PyObject*, PyObject*) {
  Store::Instance().Clear();
  Py_RETURN_NONE;
}

// host_call(name, args: tuple, kwargs: dict, timeout: float | None) -> (ok, value)
// ok False: value is {type, message, stack} from the JS side; host.py raises from it.
PyObject* HostCall(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  PYC_NARGS(4, "host_call(name, args, kwargs, timeout)");
  if (!PyUnicode_Check(args[0])) {
    PyErr_SetString(PyExc_TypeError, "host.call(name, ...): name must be a str");
    return nullptr;
  }
  double seconds = -1;
  if (args[3] != Py_None) {
    seconds = PyFloat_AsDouble(args[3]);
    if (seconds == -1.0 && PyErr_Occurred()) return nullptr;
    if (seconds < 0) seconds = 0;
  }
  PyRef request = PyRef::steal(PyList_New(3));
  if (!request) return nullptr;
  for (int i = 0; i < 3; i++) PyList_SET_ITEM(request.get(), i, Py_NewRef(args[i]));
  Value req;
  std::string error;
  if (!convert::FromPython(request.get(), req, error)) {
    PyErr_Format(PyExc_TypeError, "host.call(%R): the arguments cannot be sent to JS: %s", args[0], error.c_str());
    return nullptr;
  }
  // Which context waits: the JS side refuses calls that would re-enter it (see host.ts).
  ContextCore* ctx = ContextCore::Current();
  Value ctxValue = ctx ? Value::utf8(ctx->id()) : Value::null();
  req.items.push_back(std::move(ctxValue));
  Value out;
  host::Outcome outcome;
  {
    GilRelease nogil;
    outcome = host::Call(std::move(req), seconds, out);
  }
  switch (outcome) {
    case host::Outcome::Ok:
    case host::Outcome::Error: {
      PyRef value = convert::ToPython(out);
      if (!value) return nullptr;
      return Py_BuildValue("(OO)", outcome == host::Outcome::Ok ? Py_True : Py_False, value.get());
    }
    case host::Outcome::Interrupted: PyErr_SetNone(PyExc_KeyboardInterrupt); return nullptr;
    case host::Outcome::TimedOut: {
      char secs[32];  // PyErr_Format has no %g
      snprintf(secs, sizeof secs, "%.3g", seconds);
      PyErr_Format(PyExc_TimeoutError, "host.call(%R) got no answer within %s s", args[0], secs);
      return nullptr;
    }
    case host::Outcome::NoHost:
      PyErr_SetString(PyExc_RuntimeError, "host.call(): no host is listening (the engine is shutting down)");
      return nullptr;
  }
  return nullptr;
}

#define FAST(f) reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(f))

}  // namespace

PyMethodDef kBridgeMethods[] = {
    {"state_get", FAST(StateGet), METH_FASTCALL, "state_get(key): a copy of the value; KeyError if missing"},
    {"state_set", FAST(StateSet), METH_FASTCALL, "state_set(key, value): stores a copy"},
    {"state_delete", FAST(StateDelete), METH_FASTCALL, "state_delete(key); KeyError if missing"},
    {"state_contains", FAST(StateContains), METH_FASTCALL, "state_contains(key) -> bool"},
    {"state_keys", StateKeys, METH_NOARGS, "state_keys() -> list of keys"},
    {"state_len", StateLen, METH_NOARGS, "state_len() -> number of keys"},
    {"state_incr", FAST(StateIncr), METH_FASTCALL, "state_incr(key, n) -> new value, atomically"},
    {"state_setdefault", FAST(StateSetDefault), METH_FASTCALL, "state_setdefault(key, default) -> value"},
    {"state_update", StateUpdate, METH_O, "state_update(pairs): stores all pairs or none"},
    {"state_clear", StateClear, METH_NOARGS, "state_clear(): removes every key"},
    {"host_call", FAST(HostCall), METH_FASTCALL, "host_call(name, args, kwargs, timeout) -> (ok, value)"},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace pyc
