#include "convert/from_js.h"

#include <cmath>
#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

namespace pyc::convert {
namespace {

// Path segments are kept as cheap pieces and only joined into a string when an
// error is reported, so the common path pays nothing for good messages.
// Every non-empty typed array is lent, whatever its size, so Python sees the same
// (writable, shared) semantics for small and large arrays alike.
constexpr size_t kShareThreshold = 1;

// V8 keeps at most about 2^27 elements in a dense array.
constexpr uint32_t kMaxArrayLength = 1u << 27;

// The walk recurses on the JS thread. Reading an object's keys and prototype runs V8
// code that checks V8's stack limit (about 984 KiB in all), and a level costs over
// 1 KiB of native stack, so nested objects hit that guard near 800 levels, before
// kMaxDepth, with every napi call failing from then on. Objects stop at this budget
// with a clear message instead (arrays are read without V8's guard up to kMaxDepth).
constexpr ptrdiff_t kObjectStackBudget = 640 * 1024;

struct Walker {
  Napi::Env env;
  Napi::Function numbers;
  const ShareHook* share;
  std::vector<std::string> path;
  std::vector<napi_value> ancestors;
  const char* stackBase = nullptr;

  std::string PathString() const {
    std::string s;
    for (const auto& p : path) s += p;
    return s;
  }

  [[noreturn]] void Fail(const std::string& what) {
    throw Napi::TypeError::New(env, "Cannot convert " + PathString() + " to Python: " + what);
  }

  // A getter, a Proxy trap or an iterator can throw while the value is read. Take that
  // exception off the engine and report it with the path: left pending, it makes every
  // later napi call fail with garbage results, and a Napi::Error cannot even be copied.
  [[noreturn]] void FailJs(const char* doing) {
    std::string what = doing;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value exc, text;
      napi_get_and_clear_last_exception(env, &exc);
      if (napi_coerce_to_string(env, exc, &text) == napi_ok) {
        what += " threw " + Napi::String(env, text).Utf8Value();
      } else {
        napi_get_and_clear_last_exception(env, &exc);
        what += " threw an exception that cannot be shown (is the JS stack exhausted?)";
      }
    }
    Fail(what);
  }

  void Check(napi_status status, const char* doing) {
    if (status != napi_ok) FailJs(doing);
  }

  static bool IsIdentifier(const std::string& k) {
    if (k.empty() || std::isdigit(static_cast<unsigned char>(k[0]))) return false;
    for (char c : k)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$')) return false;
    return true;
  }

  static std::string KeySegment(const std::string& k) {
    return IsIdentifier(k) ? "." + k : "[" + std::string("\"") + k + "\"]";
  }

  Value Str(napi_value v) {
    // UTF-16 keeps lone surrogates exactly; Python decodes it with surrogatepass.
    size_t len = 0;
    napi_get_value_string_utf16(env, v, nullptr, 0, &len);
    Value out;
    out.kind = Kind::Str;
    out.enc = StrEnc::Utf16;
    out.text.resize(len * 2);
    std::vector<char16_t> buf(len + 1);
    napi_get_value_string_utf16(env, v, buf.data(), len + 1, &len);
    std::memcpy(out.text.data(), buf.data(), len * 2);
    return out;
  }

  bool IsCycle(napi_value v) {
    for (napi_value a : ancestors) {
      bool eq = false;
      napi_strict_equals(env, a, v, &eq);
      if (eq) return true;
    }
    return false;
  }

  Value Walk(napi_value v, int depth) {
    napi_valuetype t;
    napi_typeof(env, v, &t);
    switch (t) {
      case napi_undefined: return Value();
      case napi_null: return Value::null();
      case napi_boolean: {
        bool b;
        napi_get_value_bool(env, v, &b);
        return Value::boolean(b);
      }
      case napi_number: {
        double d;
        napi_get_value_double(env, v, &d);
        // Safe integers become Python ints; -0, fractions, NaN, ±Infinity and integral
        // doubles beyond 2^53 stay floats so no value is silently changed.
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) <= 9007199254740991.0 &&
            !(d == 0 && std::signbit(d)))
          return Value::integer(static_cast<int64_t>(d));
        return Value::number(d);
      }
      case napi_bigint: {
        Value out;
        out.kind = Kind::BigInt;
        size_t count = 0;
        int sign = 0;
        napi_get_value_bigint_words(env, v, nullptr, &count, nullptr);
        out.words.resize(count);
        napi_get_value_bigint_words(env, v, &sign, &count, out.words.data());
        out.flag = sign != 0;
        return out;
      }
      case napi_string: return Str(v);
      case napi_symbol: Fail("a Symbol has no Python equivalent");
      case napi_function: Fail("a function cannot be sent to Python");
      case napi_external: Fail("an external value cannot be sent to Python");
      case napi_object: return Object(v, depth);
      default: Fail("unsupported value");
    }
  }

  Value Object(napi_value v, int depth) {
    if (depth >= kMaxDepth) Fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    bool is = false;

    napi_is_typedarray(env, v, &is);
    if (is) return TypedArray(v);
    napi_is_buffer(env, v, &is);
    if (is) return Bytes(v);
    napi_is_arraybuffer(env, v, &is);
    if (is) {
      void* data;
      size_t len;
      napi_get_arraybuffer_info(env, v, &data, &len);
      return BytesOf(data, len);
    }
    napi_is_dataview(env, v, &is);
    if (is) {
      size_t len;
      void* data;
      napi_get_dataview_info(env, v, &len, &data, nullptr, nullptr);
      return BytesOf(data, len);
    }
    bool isDate = false;
    napi_is_date(env, v, &isDate);
    if (isDate) {
      double t;
      napi_get_date_value(env, v, &t);
      return Value::number(t / 1000.0);  // seconds since the epoch, like time.time()
    }

    if (IsCycle(v)) Fail("the value contains a cycle");
    ancestors.push_back(v);
    Value out;
    napi_is_array(env, v, &is);
    if (is) out = Array(v, depth);
    else out = Plain(v, depth);
    ancestors.pop_back();
    return out;
  }

  Value TypedArray(napi_value v) {
    napi_typedarray_type type;
    size_t length, offset;
    void* data;
    napi_value ab;
    napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset);
    Value out;
    size_t item = 1;
    switch (type) {
      case napi_uint8_array:
        // Buffers and Uint8Arrays are byte strings in Python.
        out.kind = Kind::Bytes;
        out.text.assign(static_cast<const char*>(data), length);
        return out;
      case napi_int8_array: out.aux = "b"; item = 1; break;
      case napi_uint8_clamped_array: out.aux = "B"; item = 1; break;
      case napi_int16_array: out.aux = "h"; item = 2; break;
      case napi_uint16_array: out.aux = "H"; item = 2; break;
      case napi_int32_array: out.aux = "i"; item = 4; break;
      case napi_uint32_array: out.aux = "I"; item = 4; break;
      case napi_float32_array: out.aux = "f"; item = 4; break;
      case napi_float64_array: out.aux = "d"; item = 8; break;
      case napi_bigint64_array: out.aux = "q"; item = 8; break;
      case napi_biguint64_array: out.aux = "Q"; item = 8; break;
      default: Fail("unsupported typed array");
    }
    out.kind = Kind::TypedArray;
    size_t bytes = length * item;
    if (share && *share && bytes >= kShareThreshold) {
      napi_ref ref;
      if (napi_create_reference(env, v, 1, &ref) == napi_ok) {
        out.shared = std::make_shared<SharedMemory>();
        out.shared->data = data;
        out.shared->length = bytes;
        out.shared->release = (*share)(ref);
        return out;
      }
    }
    out.text.assign(static_cast<const char*>(data), bytes);
    return out;
  }

  static Value BytesOf(const void* data, size_t len) {
    Value out;
    out.kind = Kind::Bytes;
    out.text.assign(static_cast<const char*>(data), len);
    return out;
  }

  Value Bytes(napi_value v) {
    void* data;
    size_t len;
    napi_get_buffer_info(env, v, &data, &len);
    return BytesOf(data, len);
  }

  Value Array(napi_value v, int depth) {
    uint32_t n;
    Check(napi_get_array_length(env, v, &n), "reading its length");
    // Longer than V8's dense arrays can be, so sparse: a list that size would exhaust memory.
    if (n > kMaxArrayLength) Fail("an array of length " + std::to_string(n) + " is too long (sparse arrays are not supported)");
    if (n >= 16 && !numbers.IsEmpty()) {
      // One call into JS checks and packs an all-number array far faster than
      // n separate napi_get_element round trips.
      napi_value packed;
      if (napi_call_function(env, env.Undefined(), numbers, 1, &v, &packed) == napi_ok) {
        bool isTyped = false;
        napi_is_typedarray(env, packed, &isTyped);
        if (isTyped) {
          // Packed arrays are temporaries: always copy them.
          const ShareHook* saved = share;
          share = nullptr;
          Value out = TypedArray(packed);
          share = saved;
          out.kind = Kind::NumberList;
          return out;
        }
      } else {
        FailJs("reading its elements");
      }
    }
    Value out = Value::list();
    out.items.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
      napi_value e;
      path.push_back("[" + std::to_string(i) + "]");
      Check(napi_get_element(env, v, i, &e), "reading it");
      out.items.push_back(Walk(e, depth + 1));
      path.pop_back();
    }
    return out;
  }

  bool InstanceOfGlobal(napi_value v, const char* name) {
    Napi::Value ctor = env.Global().Get(name);
    if (!ctor.IsFunction()) return false;
    bool r = false;
    Check(napi_instanceof(env, v, ctor, &r), "reading its prototype");
    return r;
  }

  Value Plain(napi_value v, int depth) {
    char here;
    if (stackBase - &here > kObjectStackBudget)
      Fail("objects nested too deeply to convert (" + std::to_string(depth) + " levels exhausted the stack budget)");
    if (InstanceOfGlobal(v, "Map")) return MapLike(v, depth, Kind::Map);
    if (InstanceOfGlobal(v, "Set")) return MapLike(v, depth, Kind::Set);
    Value out = Value::dict();
    napi_value keys;
    Check(napi_get_all_property_names(env, v, napi_key_own_only,
                                      static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                                      napi_key_numbers_to_strings, &keys),
          "listing its keys");
    uint32_t n;
    Check(napi_get_array_length(env, keys, &n), "listing its keys");
    out.items.reserve(n * 2);
    for (uint32_t i = 0; i < n; i++) {
      napi_value k, e;
      Check(napi_get_element(env, keys, i, &k), "listing its keys");
      std::string key = Napi::String(env, k).Utf8Value();
      out.items.push_back(Str(k));
      path.push_back(KeySegment(key));
      Check(napi_get_property(env, v, k, &e), "reading it");
      out.items.push_back(Walk(e, depth + 1));
      path.pop_back();
    }
    return out;
  }

  // Python sets and dict keys must be hashable: say so here, with the path, rather than
  // let Python fail later with a bare "unhashable type".
  void CheckHashable(const Value& v, const char* what) {
    switch (v.kind) {
      case Kind::List:
      case Kind::NumberList:
      case Kind::Dict:
      case Kind::Map:
      case Kind::Set:
      case Kind::TypedArray:
        Fail(std::string(what) + " must be hashable in Python; arrays, objects, Maps, Sets and typed arrays are not");
      default:
        return;
    }
  }

  // Maps and Sets are read through Array.from so iteration order is preserved.
  Value MapLike(napi_value v, int depth, Kind kind) {
    Napi::Object arrayCtor = env.Global().Get("Array").As<Napi::Object>();
    Napi::Function from = arrayCtor.Get("from").As<Napi::Function>();
    Napi::Array entries;
    try {
      entries = from.Call(arrayCtor, {v}).As<Napi::Array>();
    } catch (const Napi::Error& e) {
      Fail("iterating it threw " + e.Message());
    }
    Value out;
    out.kind = kind;
    uint32_t n = entries.Length();
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value e = entries.Get(i);
      if (kind == Kind::Set) {
        path.push_back(".<set item " + std::to_string(i) + ">");
        out.items.push_back(Walk(e, depth + 1));
        CheckHashable(out.items.back(), "a Set item");
        path.pop_back();
      } else {
        Napi::Array kv = e.As<Napi::Array>();
        path.push_back(".<map key " + std::to_string(i) + ">");
        out.items.push_back(Walk(kv.Get(0u), depth + 1));
        CheckHashable(out.items.back(), "a Map key");
        path.back() = ".get(" + std::to_string(i) + ")";
        out.items.push_back(Walk(kv.Get(1u), depth + 1));
        path.pop_back();
      }
    }
    return out;
  }
};

}  // namespace

Value FromJs(Napi::Env env, Napi::Value v, const std::string& rootName, Napi::Function numbersHelper,
             const ShareHook& share) {
  Walker w{env, numbersHelper, &share, {rootName}, {}};
  char base;
  w.stackBase = &base;
  try {
    return w.Walk(v, 0);
  } catch (const std::bad_alloc&) {
    // Escaping the napi callback, bad_alloc would terminate the whole host.
    throw Napi::RangeError::New(env, "Cannot convert " + rootName + " to Python: out of memory");
  }
}

Value ArgumentsFromJs(Napi::Env env, Napi::Array args, Napi::Array names, Napi::Function numbersHelper,
                      const ShareHook& share) {
  Value out = Value::list();
  uint32_t n = args.Length();
  out.items.reserve(n);
  // Argument names are only read when a conversion fails, off the hot path.
  static const std::string kPlaceholder = "\x01";
  for (uint32_t i = 0; i < n; i++) {
    try {
      out.items.push_back(FromJs(env, args.Get(i), kPlaceholder, numbersHelper, share));
    } catch (const Napi::Error& e) {
      std::string name = i < names.Length() ? names.Get(i).ToString().Utf8Value() : "payload[" + std::to_string(i) + "]";
      std::string msg = e.Message();
      size_t at = msg.find(kPlaceholder);
      if (at != std::string::npos) msg.replace(at, kPlaceholder.size(), name);
      throw Napi::TypeError::New(env, msg);
    }
  }
  return out;
}

}  // namespace pyc::convert
