#include "errors/capture.h"

#include "convert/from_python.h"
#include "runtime/interpreter.h"
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

  if (PyObject* describe = Interpreter::Instance().describeError()) {
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
