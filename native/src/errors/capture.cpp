#include "errors/capture.h"

#include "convert/from_python.h"
#include "runtime/interpreter.h"
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
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  if (!type) return MakeError("SystemError", "an error was reported without a Python exception");
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb && value) PyException_SetTraceback(value, tb);
  PyRef t = PyRef::steal(type), v = PyRef::steal(value), b = PyRef::steal(tb);

  if (PyObject* describe = Interpreter::Instance().describeError()) {
    PyRef info = PyRef::steal(PyObject_CallOneArg(describe, v ? v.get() : Py_None));
    if (info) {
      convert::Value out;
      std::string err;
      if (convert::FromPython(info.get(), out, err)) return out;
    }
    PyErr_Clear();
  }
  std::string name = reinterpret_cast<PyTypeObject*>(t.get())->tp_name;
  std::string msg;
  if (v) {
    PyRef s = PyRef::steal(PyObject_Str(v.get()));
    if (s) {
      const char* c = PyUnicode_AsUTF8(s.get());
      if (c) msg = c;
    }
    PyErr_Clear();
  }
  return MakeError(name, msg);
}

}  // namespace pyc::errors
