#include "convert/to_python.h"

#include <cmath>
#include <cstdint>

#include "runtime/native_module.h"

namespace pyc::convert {
namespace {

PyRef Int(double d) {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) <= 9007199254740991.0 && !(d == 0 && std::signbit(d)))
    return PyRef::steal(PyLong_FromLongLong(static_cast<long long>(d)));
  return PyRef::steal(PyFloat_FromDouble(d));
}

PyRef BigInt(const Value& v) {
  // Little-endian words -> little-endian bytes on x86_64/arm64, then the sign.
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.words.data());
  const size_t n = v.words.size() * 8;
  if (n == 0) return PyRef::steal(PyLong_FromLong(0));  // 0n has no words; the APIs below refuse an empty buffer
#if PY_VERSION_HEX >= 0x030D0000
  PyRef mag = PyRef::steal(
      PyLong_FromUnsignedNativeBytes(bytes, n, Py_ASNATIVEBYTES_LITTLE_ENDIAN | Py_ASNATIVEBYTES_UNSIGNED_BUFFER));
#else
  // 3.11 and 3.12 have no public native-bytes API: int.from_bytes does the same.
  PyRef raw = PyRef::steal(PyBytes_FromStringAndSize(reinterpret_cast<const char*>(bytes), static_cast<Py_ssize_t>(n)));
  if (!raw) return raw;
  PyRef mag = PyRef::steal(
      PyObject_CallMethod(reinterpret_cast<PyObject*>(&PyLong_Type), "from_bytes", "Os", raw.get(), "little"));
#endif
  if (!mag || !v.flag) return mag;
  return PyRef::steal(PyNumber_Negative(mag.get()));
}

PyRef Str(const Value& v) {
  switch (v.enc) {
    case StrEnc::Utf16: {
      int order = -1;  // little-endian, no BOM handling
      return PyRef::steal(PyUnicode_DecodeUTF16(v.text.data(), static_cast<Py_ssize_t>(v.text.size()),
                                                "surrogatepass", &order));
    }
    case StrEnc::Latin1:
      return PyRef::steal(PyUnicode_DecodeLatin1(v.text.data(), static_cast<Py_ssize_t>(v.text.size()), nullptr));
    default:
      return PyRef::steal(PyUnicode_DecodeUTF8(v.text.data(), static_cast<Py_ssize_t>(v.text.size()), "surrogateescape"));
  }
}

PyRef Build(const Value& v);

PyRef TypedArray(const Value& v) {
  if (v.shared) {
    // Zero-copy: a memoryview straight over the JS typed array's memory.
    PyRef exporter = PyRef::steal(NewJsBuffer(v.shared, v.aux));
    if (!exporter) return exporter;
    return PyRef::steal(PyMemoryView_FromObject(exporter.get()));
  }
  // Copied (empty) arrays are writable too, like shared ones.
  PyRef bytes = PyRef::steal(PyByteArray_FromStringAndSize(v.text.data(), static_cast<Py_ssize_t>(v.text.size())));
  if (!bytes) return bytes;
  PyRef view = PyRef::steal(PyMemoryView_FromObject(bytes.get()));
  if (!view) return view;
  return PyRef::steal(PyObject_CallMethod(view.get(), "cast", "s", v.aux.c_str()));
}

PyRef Build(const Value& v) {
  switch (v.kind) {
    case Kind::Undefined:
    case Kind::Null: return PyRef::borrow(Py_None);
    case Kind::Bool: return PyRef::borrow(v.flag ? Py_True : Py_False);
    case Kind::Int: return PyRef::steal(PyLong_FromLongLong(v.i));
    case Kind::Float: return PyRef::steal(PyFloat_FromDouble(v.d));
    case Kind::BigInt: return BigInt(v);
    case Kind::Str: return Str(v);
    case Kind::Bytes: return PyRef::steal(PyBytes_FromStringAndSize(v.text.data(), static_cast<Py_ssize_t>(v.text.size())));
    case Kind::TypedArray: return TypedArray(v);
    case Kind::NumberList: {
      // int32 blocks come from Python lists of small ints (convert/from_python.cpp).
      const bool ints = v.aux == "i";
      size_t n = v.text.size() / (ints ? sizeof(int32_t) : sizeof(double));
      PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(n)));
      if (!list) return list;
      for (size_t i = 0; i < n; i++) {
        PyRef e;
        if (ints) e = PyRef::steal(PyLong_FromLong(reinterpret_cast<const int32_t*>(v.text.data())[i]));
        else e = Int(reinterpret_cast<const double*>(v.text.data())[i]);
        if (!e) return e;
        PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), e.release());
      }
      return list;
    }
    case Kind::List: {
      PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(v.items.size())));
      if (!list) return list;
      for (size_t i = 0; i < v.items.size(); i++) {
        PyRef e = Build(v.items[i]);
        if (!e) return e;
        PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), e.release());
      }
      return list;
    }
    case Kind::Dict:
    case Kind::Map: {
      PyRef dict = PyRef::steal(PyDict_New());
      if (!dict) return dict;
      for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
        PyRef k = Build(v.items[i]);
        if (!k) return k;
        PyRef e = Build(v.items[i + 1]);
        if (!e) return e;
        if (PyDict_SetItem(dict.get(), k.get(), e.get()) < 0) return PyRef();
      }
      return dict;
    }
    case Kind::Set: {
      PyRef set = PyRef::steal(PySet_New(nullptr));
      if (!set) return set;
      for (const auto& item : v.items) {
        PyRef e = Build(item);
        if (!e) return e;
        if (PySet_Add(set.get(), e.get()) < 0) return PyRef();
      }
      return set;
    }
    case Kind::Opaque:
      return PyRef::steal(PyUnicode_FromString(v.text.c_str()));
  }
  return PyRef::borrow(Py_None);
}

}  // namespace

PyRef ToPython(const Value& v) { return Build(v); }

}  // namespace pyc::convert
