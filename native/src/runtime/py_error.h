// Taking the current Python exception, through the public API of each version.
//
// GIL RULE: call with the GIL held, on the thread where the exception was raised.
#pragma once
#include <Python.h>

#include "runtime/py_ref.h"

namespace pyc {

// Takes (and clears) the current exception as one normalized exception object whose
// __traceback__ is set; empty when none is set. PyErr_Fetch is deprecated since 3.12.
inline PyRef TakeRaisedException() {
#if PY_VERSION_HEX >= 0x030C0000
  return PyRef::steal(PyErr_GetRaisedException());
#else
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  if (!type) return PyRef();
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb && value) PyException_SetTraceback(value, tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  return PyRef::steal(value);
#endif
}

}  // namespace pyc
