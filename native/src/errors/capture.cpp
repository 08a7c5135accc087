#include "errors/capture.h"

#include "convert/from_python.h"
#include "runtime/runtime_entries.h"
#include "runtime/py_error.h"
#include "runtime/py_ref.h"

namespace pyc::errors {

convert::Value MakeError(const std::string& type, const std::string& message) {
  convert::Value v = convert::Value::dict();
  v.put("type", convert::Value::utf8(type));
  v.put("message", convert::Value::utf8(message));
  v.put("traceback", convert::Value::utf8(type + ": " + message + "\n"));
  v.put("frames", convert::Value::list());
  return v;
}

convert::Value CaptureError() {
  PyRef v = TakeRaisedException();
  if (!v) return MakeError("SystemError", "an error was reported without a Python exception");

  // The describe_error of the interpreter this thread runs in (each own-GIL context has its own).
  RuntimeEntries* entries = RuntimeEntries::Current();
  if (PyObject* describe = entries ? entries->describeError() : nullptr) {
    PyRef info = PyRef::steal(PyObject_CallOneArg(describe, v.get()));
    if (info) {
      convert::Value out;
      std::string err;
      if (convert::FromPython(info.get(), out, err)) return out;
    }
    PyErr_Clear();
  }
  std::string name = Py_TYPE(v.get())->tp_name;
  std::string msg;
  PyRef s = PyRef::steal(PyObject_Str(v.get()));
  if (s) {
    const char* c = PyUnicode_AsUTF8(s.get());
    if (c) msg = c;
  }
  PyErr_Clear();
  return MakeError(name, msg);
}

}  // namespace pyc::errors
