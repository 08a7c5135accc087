#include "convert/from_python.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>
#include "runtime/py_ref.h"
#include "runtime/releaser.h"

namespace pyc::convert {

Value StrValue(PyObject* s) {
  Value out;
  out.kind = Kind::Str;
  Py_ssize_t n = PyUnicode_GET_LENGTH(s);
  // Copy the internal representation directly: latin-1 and UCS-2 strings map
  // onto V8's own string encodings with no transcoding.
  switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
      out.enc = StrEnc::Latin1;
      out.text.assign(reinterpret_cast<const char*>(PyUnicode_1BYTE_DATA(s)), static_cast<size_t>(n));
      return out;
    case PyUnicode_2BYTE_KIND:
      out.enc = StrEnc::Utf16;
      out.text.assign(reinterpret_cast<const char*>(PyUnicode_2BYTE_DATA(s)), static_cast<size_t>(n) * 2);
      return out;
    default: {
      // Astral characters: UTF-16 with surrogate pairs; surrogatepass keeps lone
      // surrogates, which JS strings can hold too.
      PyRef enc = PyRef::steal(PyUnicode_AsEncodedString(s, "utf-16-le", "surrogatepass"));
      out.enc = StrEnc::Utf16;
      if (!enc) {
        PyErr_Clear();
        out.enc = StrEnc::Utf8;
        out.text = "\xEF\xBF\xBD";
        return out;
      }
      out.text.assign(PyBytes_AS_STRING(enc.get()), static_cast<size_t>(PyBytes_GET_SIZE(enc.get())));
      return out;
    }
  }
}

std::string SafeRepr(PyObject* obj) {
  PyRef r = PyRef::steal(PyObject_Repr(obj));
  if (!r) {
    PyErr_Clear();
    return std::string("<") + Py_TYPE(obj)->tp_name + " object (repr failed)>";
  }
  Py_ssize_t n;
  const char* s = PyUnicode_AsUTF8AndSize(r.get(), &n);
  if (!s) {
    PyErr_Clear();
    PyRef b = PyRef::steal(PyUnicode_AsEncodedString(r.get(), "utf-8", "replace"));
    if (!b) { PyErr_Clear(); return "<unprintable>"; }
    return std::string(PyBytes_AS_STRING(b.get()), static_cast<size_t>(PyBytes_GET_SIZE(b.get())));
  }
  return std::string(s, static_cast<size_t>(n));
}

namespace {

// A Python int beyond 2^53 as a sign (out.flag) and little-endian 64-bit words of its
// magnitude. False with a Python error set.
bool BigIntWords(PyObject* o, Value& out) {
  PyRef zero = PyRef::steal(PyLong_FromLong(0));
  if (!zero) return false;
  int negative = PyObject_RichCompareBool(o, zero.get(), Py_LT);
  if (negative < 0) return false;
  out.flag = negative == 1;
  PyRef mag = PyRef::steal(PyNumber_Absolute(o));
  if (!mag) return false;
#if PY_VERSION_HEX >= 0x030D0000
  const int flags = Py_ASNATIVEBYTES_LITTLE_ENDIAN | Py_ASNATIVEBYTES_UNSIGNED_BUFFER;
  Py_ssize_t need = PyLong_AsNativeBytes(mag.get(), nullptr, 0, flags);
  if (need < 0) return false;
  out.words.assign(need > 0 ? (static_cast<size_t>(need) + 7) / 8 : 1, 0);
  return PyLong_AsNativeBytes(mag.get(), out.words.data(), static_cast<Py_ssize_t>(out.words.size() * 8), flags) >= 0;
#else
  // 3.11 and 3.12 have no public native-bytes API: int.to_bytes does the same.
  PyRef bits = PyRef::steal(PyObject_CallMethod(mag.get(), "bit_length", nullptr));
  if (!bits) return false;
  size_t n = PyLong_AsSize_t(bits.get());
  if (n == static_cast<size_t>(-1) && PyErr_Occurred()) return false;
  size_t words = (n + 63) / 64;
  out.words.assign(words ? words : 1, 0);
  PyRef bytes = PyRef::steal(PyObject_CallMethod(mag.get(), "to_bytes", "ns",
                                                 static_cast<Py_ssize_t>(out.words.size() * 8), "little"));
  if (!bytes) return false;
  std::memcpy(out.words.data(), PyBytes_AS_STRING(bytes.get()), out.words.size() * 8);
  return true;
#endif
}

struct Walker {
  FromPythonOptions opts;
  std::vector<PyObject*> ancestors;
  std::vector<std::string> path{"result"};
  std::string error;

  bool Fail(const std::string& what) {
    std::string p;
    for (auto& s : path) p += s;
    error = p + ": " + what;
    return false;
  }

  bool Int(PyObject* o, Value& out) {
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow && !(n == -1 && PyErr_Occurred()) && n <= 9007199254740991LL && n >= -9007199254740991LL) {
      out = Value::integer(n);
      return true;
    }
    PyErr_Clear();
    out.kind = Kind::BigInt;
    if (!BigIntWords(o, out)) {
      PyErr_Clear();
      return Fail("int could not be converted");
    }
    return true;
  }

  bool Enter(PyObject* o) {
    if (static_cast<int>(ancestors.size()) >= kMaxDepth)
      return Fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    for (PyObject* a : ancestors)
      if (a == o) return Fail("the value contains a reference cycle");
    ancestors.push_back(o);
    return true;
  }

  // A list or tuple of plain ints (within ±2^53) and floats as one block: int32 while
  // every item is an int that fits (4 bytes an item, and JS keeps them as small integers),
  // else doubles (8 bytes), instead of a Value each (about 150 bytes); one JS call unpacks
  // it (convert/to_js.cpp). No Python code runs while the items are read (exact int and
  // float only, GIL held), so the live item array cannot change under us.
  static bool Numbers(PyObject* o, Value& out) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject** items = PySequence_Fast_ITEMS(o);
    if (n < kMinNumberList || !IsPlainNumber(items[0]) || !IsPlainNumber(items[n - 1])) return false;
    const size_t count = static_cast<size_t>(n);
    std::string data(count * sizeof(int32_t), '\0');
    bool ints = true;
    // From int32 to doubles at the first item that needs it: widen what is written so far.
    auto widen = [&](size_t upTo) {
      std::string wide(count * sizeof(double), '\0');
      const int32_t* from = reinterpret_cast<const int32_t*>(data.data());
      double* to = reinterpret_cast<double*>(wide.data());
      for (size_t j = 0; j < upTo; j++) to[j] = from[j];
      data.swap(wide);
      ints = false;
    };
    for (size_t i = 0; i < count; i++) {
      PyObject* e = items[i];
      double d;
      if (PyFloat_CheckExact(e)) {
        d = PyFloat_AS_DOUBLE(e);
      } else if (PyLong_CheckExact(e)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(e, &overflow);
        if (overflow || v > 9007199254740991LL || v < -9007199254740991LL) return false;  // BigInt: the slow path
        if (ints && v >= INT32_MIN && v <= INT32_MAX) {
          reinterpret_cast<int32_t*>(data.data())[i] = static_cast<int32_t>(v);
          continue;
        }
        d = static_cast<double>(v);
      } else {
        return false;
      }
      if (ints) widen(i);
      reinterpret_cast<double*>(data.data())[i] = d;
    }
    out = Value();
    out.kind = Kind::NumberList;
    if (ints) out.aux = "i";
    out.text = std::move(data);
    return true;
  }

  static bool IsPlainNumber(PyObject* e) { return PyFloat_CheckExact(e) || PyLong_CheckExact(e); }
  static constexpr Py_ssize_t kMinNumberList = 16;

  bool Sequence(PyObject* o, Value& out) {
    if (!Enter(o)) return false;
    if ((PyList_CheckExact(o) || PyTuple_CheckExact(o)) && Numbers(o, out)) {
      ancestors.pop_back();
      return true;
    }
    out = Value::list();
    // Walk a tuple snapshot that owns its items: a list hands out its live item
    // array, which a __repr__ of one item (or another thread, while repr releases the
    // GIL) could clear or resize under us. PySequence_Tuple returns a tuple as is.
    PyRef fast = PyRef::steal(PySequence_Tuple(o));
    if (!fast) { PyErr_Clear(); return Fail("could not iterate"); }
    Py_ssize_t n = PyTuple_GET_SIZE(fast.get());
    out.items.resize(static_cast<size_t>(n));
    PyObject** items = PySequence_Fast_ITEMS(fast.get());
    for (Py_ssize_t i = 0; i < n; i++) {
      path.push_back("[" + std::to_string(i) + "]");
      if (!Walk(items[i], out.items[static_cast<size_t>(i)])) return false;
      path.pop_back();
    }
    ancestors.pop_back();
    return true;
  }

  bool Dict(PyObject* o, Value& out) {
    if (!Enter(o)) return false;
    bool allStr = true;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(o, &pos, &k, &v))
      if (!PyUnicode_CheckExact(k)) { allStr = false; break; }
    out = Value();
    out.kind = allStr ? Kind::Dict : Kind::Map;
    pos = 0;
    PyRef snapshot = PyRef::steal(PyDict_Items(o));
    if (!snapshot) { PyErr_Clear(); return Fail("could not read dict"); }
    Py_ssize_t n = PyList_GET_SIZE(snapshot.get());
    out.items.reserve(static_cast<size_t>(n) * 2);
    for (Py_ssize_t i = 0; i < n; i++) {
      PyObject* kv = PyList_GET_ITEM(snapshot.get(), i);
      PyObject* key = PyTuple_GET_ITEM(kv, 0);
      out.items.emplace_back();
      if (allStr) {
        out.items.back() = StrValue(key);
        path.push_back("['" + SafeKey(key) + "']");
      } else {
        path.push_back(".keys()[" + std::to_string(i) + "]");
        if (!Walk(key, out.items.back())) return false;
        path.back() = "[" + SafeKey(key) + "]";
      }
      out.items.emplace_back();
      if (!Walk(PyTuple_GET_ITEM(kv, 1), out.items.back())) return false;
      path.pop_back();
    }
    ancestors.pop_back();
    return true;
  }

  static std::string SafeKey(PyObject* key) {
    if (PyUnicode_Check(key)) {
      const char* s = PyUnicode_AsUTF8(key);
      if (s) return s;
      PyErr_Clear();
    }
    return SafeRepr(key);
  }

  bool Set(PyObject* o, Value& out) {
    if (!Enter(o)) return false;
    out = Value();
    out.kind = Kind::Set;
    PyRef it = PyRef::steal(PyObject_GetIter(o));
    if (!it) { PyErr_Clear(); return Fail("could not iterate set"); }
    size_t i = 0;
    while (PyRef item = PyRef::steal(PyIter_Next(it.get()))) {
      out.items.emplace_back();
      path.push_back("<set item " + std::to_string(i++) + ">");
      if (!Walk(item.get(), out.items.back())) return false;
      path.pop_back();
    }
    if (PyErr_Occurred()) { PyErr_Clear(); return Fail("could not iterate set"); }
    ancestors.pop_back();
    return true;
  }

  // V8's limits (buffer.constants): longer strings and Buffers cannot be created, and
  // trying crashed the host. Say so as a conversion error instead.
  static constexpr size_t kMaxJsStringUnits = 536870888;
  static constexpr size_t kMaxJsBufferBytes = 4294967296ull;

  bool TooLong(size_t units, const char* what) {
    return Fail(std::string(what) + " " + std::to_string(units) +
                " is longer than JavaScript allows (strings: 536,870,888 UTF-16 units; Buffers: 4 GiB)");
  }

  // numpy.ndarray itself, not a subclass: a masked array or a matrix means more than its
  // buffer (a mask, matrix semantics), so those stay PyValues.
  static bool IsNdarray(PyTypeObject* t) { return std::strcmp(t->tp_name, "numpy.ndarray") == 0; }
  static bool IsNdarraySubclass(PyTypeObject* t) {
    for (PyTypeObject* b = t->tp_base; b; b = b->tp_base)
      if (IsNdarray(b)) return true;
    return false;
  }

  // The struct format of a buffer as one of the typed-array codes (see MakeTypedArray in
  // to_js.cpp), or 0. Native or little-endian byte order only (x86-64, arm64); 'l'/'L' are
  // 8 bytes on LP64 and become 'q'/'Q'.
  static char NumericCode(const Py_buffer& view) {
    const char* f = view.format ? view.format : "B";
    if (*f == '@' || *f == '=' || *f == '<') f++;
    if (!f[0] || f[1]) return 0;
    char c = f[0];
    size_t size;
    switch (c) {
      case 'b': case 'B': size = 1; break;
      case 'h': case 'H': size = 2; break;
      case 'i': case 'I': case 'f': size = 4; break;
      case 'l': size = sizeof(long); c = 'q'; break;
      case 'L': size = sizeof(unsigned long); c = 'Q'; break;
      case 'q': case 'Q': case 'd': size = 8; break;
      default: return 0;
    }
    return static_cast<size_t>(view.itemsize) == size ? c : 0;
  }

  // A buffer of numbers (numpy array, array.array, memoryview …) as a TypedArray Value:
  // N-D ones carry their shape in `items` (flag set). A C-contiguous, writable, aligned
  // numpy.ndarray is shared when the options allow it: the Value keeps the Py_buffer
  // export (and with it the array) alive, and releasing it is posted to the releaser
  // thread, since the last holder may be a GC finalizer on the JS thread. Anything else
  // is copied once into C order: array.array and bytearray-backed views can be resized
  // by Python once their export ends, and other exporters promise nothing. False (no
  // error) for what is not a numeric buffer: it stays a PyValue.
  bool Buffer(PyObject* o, Value& out) {
    if (PyBytes_Check(o) || PyByteArray_Check(o) || IsNdarraySubclass(Py_TYPE(o))) return false;
    auto view = std::make_unique<Py_buffer>();
    if (PyObject_GetBuffer(o, view.get(), PyBUF_FULL_RO) < 0) {
      PyErr_Clear();
      return false;
    }
    char code = NumericCode(*view);
    size_t len = static_cast<size_t>(view->len);
    if (!code || len > kMaxJsBufferBytes) {
      PyBuffer_Release(view.get());
      return code ? TooLong(len, "a buffer of size") : false;
    }
    out = Value();
    out.kind = Kind::TypedArray;
    out.aux.assign(1, code);
    if (view->ndim != 1) {
      out.flag = true;
      for (int d = 0; d < view->ndim; d++) out.items.push_back(Value::integer(view->shape[d]));
    }
    const bool share = opts.shareBuffers && IsNdarray(Py_TYPE(o)) && !view->readonly && len >= kMinShared &&
                       reinterpret_cast<uintptr_t>(view->buf) % static_cast<uintptr_t>(view->itemsize) == 0 &&
                       PyBuffer_IsContiguous(view.get(), 'C');
    if (share) {
      auto mem = std::make_shared<SharedMemory>();
      mem->data = view->buf;
      mem->length = len;
      Py_buffer* held = view.release();
      uint64_t generation = releaser::Generation();
      mem->release = [held, generation]() {
        releaser::Post(generation, [held]() {
          PyBuffer_Release(held);
          delete held;
        });
      };
      out.shared = std::move(mem);
      return true;
    }
    out.text.resize(len);
    int rc = len ? PyBuffer_ToContiguous(out.text.data(), view.get(), view->len, 'C') : 0;
    PyBuffer_Release(view.get());
    if (rc < 0) {
      PyErr_Clear();
      return Fail("could not copy the buffer");
    }
    return true;
  }

  // Below this a copy costs less than the finalizer and the release hop a share needs.
  static constexpr size_t kMinShared = 4096;

  bool Walk(PyObject* o, Value& out) {
    if (o == Py_None) { out = Value::null(); return true; }
    if (PyBool_Check(o)) { out = Value::boolean(o == Py_True); return true; }
    if (PyLong_CheckExact(o) || PyLong_Check(o)) return Int(o, out);
    if (PyFloat_Check(o)) { out = Value::number(PyFloat_AS_DOUBLE(o)); return true; }
    if (PyUnicode_Check(o)) {
      if (static_cast<size_t>(PyUnicode_GET_LENGTH(o)) > kMaxJsStringUnits) return TooLong(PyUnicode_GET_LENGTH(o), "a str of length");
      out = StrValue(o);
      if (out.enc == StrEnc::Utf16 && out.text.size() / 2 > kMaxJsStringUnits) return TooLong(out.text.size() / 2, "a str of UTF-16 length");
      return true;
    }
    if ((PyBytes_Check(o) && static_cast<size_t>(PyBytes_GET_SIZE(o)) > kMaxJsBufferBytes) ||
        (PyByteArray_Check(o) && static_cast<size_t>(PyByteArray_GET_SIZE(o)) > kMaxJsBufferBytes))
      return TooLong(static_cast<size_t>(Py_SIZE(o)), "a bytes object of size");
    if (PyBytes_Check(o)) {
      out = Value();
      out.kind = Kind::Bytes;
      out.text.assign(PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o)));
      return true;
    }
    if (PyByteArray_Check(o)) {
      out = Value();
      out.kind = Kind::Bytes;
      out.text.assign(PyByteArray_AS_STRING(o), static_cast<size_t>(PyByteArray_GET_SIZE(o)));
      return true;
    }
    if (PyList_Check(o) || PyTuple_Check(o)) return Sequence(o, out);
    if (PyDict_Check(o)) return Dict(o, out);
    if (PyAnySet_Check(o)) return Set(o, out);
    if (PyObject_CheckBuffer(o) && Buffer(o, out)) return true;
    if (!error.empty()) return false;
    out = Value();
    out.kind = Kind::Opaque;
    out.aux = Py_TYPE(o)->tp_name;
    out.text = SafeRepr(o);
    return true;
  }
};

}  // namespace

bool FromPython(PyObject* obj, Value& out, std::string& error, const FromPythonOptions& opts) {
  Walker w;
  w.opts = opts;
  try {
    if (w.Walk(obj, out)) return true;
  } catch (const std::bad_alloc&) {
    // A result too big for memory (each element costs a Value here, then a JS value):
    // uncaught on a context thread, bad_alloc would terminate the whole host.
    out = Value();
    error = "out of memory while converting the result (" + std::to_string(w.ancestors.size()) + " levels deep)";
    return false;
  }
  error = w.error;
  return false;
}

}  // namespace pyc::convert
