// Owning and borrowed references to Python objects.
//
// GIL RULE: every PyRef operation (construction from a new reference, copy,
// reset, destruction) touches a reference count and therefore must happen while
// the calling thread holds the GIL. PyRef objects never cross to the JS thread:
// values travel between threads as convert::Value, which holds no PyObject.
#pragma once
#include <Python.h>
#include <utility>

namespace pyc {

class PyRef {
 public:
  PyRef() = default;
  // Takes ownership of a new reference (may be null, signalling a Python error).
  static PyRef steal(PyObject* o) { PyRef r; r.obj_ = o; return r; }
  // Adds a reference to a borrowed object.
  static PyRef borrow(PyObject* o) { Py_XINCREF(o); return steal(o); }

  PyRef(const PyRef& o) : obj_(o.obj_) { Py_XINCREF(obj_); }
  PyRef(PyRef&& o) noexcept : obj_(std::exchange(o.obj_, nullptr)) {}
  PyRef& operator=(PyRef o) noexcept { std::swap(obj_, o.obj_); return *this; }
  ~PyRef() { Py_XDECREF(obj_); }

  PyObject* get() const { return obj_; }
  PyObject* release() { return std::exchange(obj_, nullptr); }
  explicit operator bool() const { return obj_ != nullptr; }
  void reset() { Py_CLEAR(obj_); }

 private:
  PyObject* obj_ = nullptr;
};

}  // namespace pyc
