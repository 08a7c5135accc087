#include "convert/to_js.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace pyc::convert {
namespace {

// Clears an exception a failed napi call may have left pending.
void ClearPending(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

napi_value MakeBuffer(napi_env env, std::string& bytes) {
  napi_value out;
  // Hand the payload to V8 without copying when external buffers are allowed.
  // Electron's memory cage forbids them (napi_no_external_buffers_allowed), and
  // then we copy.
  if (bytes.size() >= 4096) {
    auto* owned = new std::string(std::move(bytes));
    napi_status st = napi_create_external_buffer(
        env, owned->size(), owned->data(),
        [](napi_env, void*, void* hint) { delete static_cast<std::string*>(hint); }, owned, &out);
    if (st == napi_ok) return out;
    bytes = std::move(*owned);
    delete owned;
  }
  void* data;
  if (napi_create_buffer_copy(env, bytes.size(), bytes.data(), &data, &out) != napi_ok) {
    // Larger than a Buffer can be (from_python.cpp refuses results that size first).
    ClearPending(env);
    napi_get_null(env, &out);
  }
  return out;
}

// An ArrayBuffer over a Value's payload without copying it where the runtime allows
// external buffers: shared memory (a numpy array, kept alive until V8 collects the
// buffer) or the payload string itself, moved to the heap. Copied otherwise (Electron's
// memory cage refuses external buffers), which also ends a share at once.
napi_value PayloadBuffer(napi_env env, Value& v) {
  napi_value ab;
  if (v.shared) {
    auto* hold = new std::shared_ptr<SharedMemory>(v.shared);
    // The finalizer runs on the JS thread: dropping the last holder only posts the
    // Python release (runtime/releaser.h), it never takes the GIL here.
    if (napi_create_external_arraybuffer(
            env, v.shared->data, v.shared->length,
            [](napi_env, void*, void* hint) { delete static_cast<std::shared_ptr<SharedMemory>*>(hint); }, hold,
            &ab) == napi_ok)
      return ab;
    ClearPending(env);
    delete hold;
    void* data;
    napi_create_arraybuffer(env, v.shared->length, &data, &ab);
    if (v.shared->length) std::memcpy(data, v.shared->data, v.shared->length);
    v.shared.reset();
    return ab;
  }
  if (v.text.size() >= 4096) {
    auto* owned = new std::string(std::move(v.text));
    if (napi_create_external_arraybuffer(
            env, owned->data(), owned->size(),
            [](napi_env, void*, void* hint) { delete static_cast<std::string*>(hint); }, owned, &ab) == napi_ok)
      return ab;
    ClearPending(env);
    v.text = std::move(*owned);
    delete owned;
  }
  void* data;
  napi_create_arraybuffer(env, v.text.size(), &data, &ab);
  if (!v.text.empty()) std::memcpy(data, v.text.data(), v.text.size());
  return ab;
}

struct TypedFormat {
  napi_typedarray_type type;
  size_t item;
  const char* dtype;  // numpy's name, for N-D arrays' { shape, dtype, data }
};

TypedFormat FormatOf(const Value& v) {
  switch (v.aux.empty() ? 'B' : v.aux[0]) {
    case 'b': return {napi_int8_array, 1, "int8"};
    case 'B': return {napi_uint8_array, 1, "uint8"};
    case 'h': return {napi_int16_array, 2, "int16"};
    case 'H': return {napi_uint16_array, 2, "uint16"};
    case 'i': return {napi_int32_array, 4, "int32"};
    case 'I': return {napi_uint32_array, 4, "uint32"};
    case 'q': return {napi_bigint64_array, 8, "int64"};
    case 'Q': return {napi_biguint64_array, 8, "uint64"};
    case 'f': return {napi_float32_array, 4, "float32"};
    default: return {napi_float64_array, 8, "float64"};
  }
}

// A typed array; an N-D buffer (flag set, shape in items) as { shape, dtype, data }.
napi_value MakeTypedArray(napi_env env, Value& v) {
  TypedFormat f = FormatOf(v);
  size_t bytes = v.shared ? v.shared->length : v.text.size();
  napi_value ab, out;
  ab = PayloadBuffer(env, v);
  napi_create_typedarray(env, f.type, bytes / f.item, ab, 0, &out);
  if (!v.flag) return out;
  napi_value obj, shape, dtype;
  napi_create_object(env, &obj);
  napi_create_array_with_length(env, v.items.size(), &shape);
  for (size_t i = 0; i < v.items.size(); i++) {
    napi_value d;
    napi_create_int64(env, v.items[i].i, &d);
    napi_set_element(env, shape, static_cast<uint32_t>(i), d);
  }
  napi_create_string_utf8(env, f.dtype, NAPI_AUTO_LENGTH, &dtype);
  napi_set_named_property(env, obj, "shape", shape);
  napi_set_named_property(env, obj, "dtype", dtype);
  napi_set_named_property(env, obj, "data", out);
  return obj;
}

napi_status CreateStr(napi_env env, StrEnc enc, const char* data, size_t bytes, napi_value* out) {
  switch (enc) {
    case StrEnc::Latin1: return napi_create_string_latin1(env, data, bytes, out);
    case StrEnc::Utf16: return napi_create_string_utf16(env, reinterpret_cast<const char16_t*>(data), bytes / 2, out);
    default: return napi_create_string_utf8(env, data, bytes, out);
  }
}

napi_value Str(napi_env env, const Value& v) {
  napi_value out;
  if (CreateStr(env, v.enc, v.text.data(), v.text.size(), &out) == napi_ok) return out;
  // Longer than V8's maximum string length. Results that long are refused earlier
  // (from_python.cpp); this is the last resort for text such as an exception message,
  // which is cut to its first 1 Mi code units with a note, never left as garbage.
  ClearPending(env);
  size_t unit = v.enc == StrEnc::Utf16 ? 2 : 1;
  size_t keep = std::min(v.text.size(), size_t{1} << 20) / unit * unit;
  if (v.enc == StrEnc::Utf16 && keep >= 2) {
    char16_t last;
    std::memcpy(&last, v.text.data() + keep - 2, 2);
    if (last >= 0xD800 && last <= 0xDBFF) keep -= 2;  // do not split a surrogate pair
  } else if (v.enc == StrEnc::Utf8) {
    while (keep > 0 && (static_cast<unsigned char>(v.text[keep]) & 0xC0) == 0x80) keep--;  // nor a UTF-8 sequence
  }
  std::string note = "\n[py-contexts: text truncated: " + std::to_string(v.text.size() / unit) +
                     " code units is longer than JavaScript's maximum string length]";
  std::string cut = v.text.substr(0, keep);
  for (char c : note) {
    cut.push_back(c);  // the note is ASCII: one byte in Latin-1 and UTF-8,
    if (unit == 2) cut.push_back('\0');  // two (little-endian) in UTF-16
  }
  if (CreateStr(env, v.enc, cut.data(), cut.size(), &out) != napi_ok) {
    ClearPending(env);
    napi_get_null(env, &out);
  }
  return out;
}

struct Builder {
  Napi::Env env;
  Napi::Function pyValue;
  Napi::Function mapCtor;
  Napi::Function setCtor;
  Napi::Function unpackNumbers;

  // A block of numbers (a Python list of numbers) as a JS Array: one call into a JS
  // helper (Float64Array | Int32Array => number[]) whose optimized loop fills the array,
  // instead of a napi call and a handle per element.
  napi_value NumberList(Value& v) {
    napi_value out;
    const bool ints = v.aux == "i";
    size_t n = v.text.size() / (ints ? sizeof(int32_t) : sizeof(double));
    if (!unpackNumbers.IsEmpty()) {
      napi_value ab, doubles;
      ab = PayloadBuffer(env, v);
      napi_create_typedarray(env, ints ? napi_int32_array : napi_float64_array, n, ab, 0, &doubles);
      if (napi_call_function(env, env.Undefined(), unpackNumbers, 1, &doubles, &out) == napi_ok) return out;
      // Out of JS heap, most likely: the call settles with a TypeError (objects/engine.cpp).
      ClearPending(env);
      throw Napi::Error::New(env, "a list of " + std::to_string(n) + " numbers could not be built in JS");
    }
    napi_create_array_with_length(env, n, &out);
    for (size_t i = 0; i < n; i++) {
      napi_handle_scope scope;
      napi_open_handle_scope(env, &scope);
      napi_value e;
      if (ints) napi_create_int32(env, reinterpret_cast<const int32_t*>(v.text.data())[i], &e);
      else napi_create_double(env, reinterpret_cast<const double*>(v.text.data())[i], &e);
      napi_set_element(env, out, static_cast<uint32_t>(i), e);
      napi_close_handle_scope(env, scope);
    }
    return out;
  }

  napi_value Build(Value& v) {
    napi_value out;
    switch (v.kind) {
      case Kind::Undefined: napi_get_undefined(env, &out); return out;
      case Kind::Null: napi_get_null(env, &out); return out;
      case Kind::Bool: napi_get_boolean(env, v.flag, &out); return out;
      case Kind::Int: napi_create_int64(env, v.i, &out); return out;
      case Kind::Float: napi_create_double(env, v.d, &out); return out;
      case Kind::BigInt:
        napi_create_bigint_words(env, v.flag ? 1 : 0, v.words.size(), v.words.data(), &out);
        return out;
      case Kind::Str: return Str(env, v);
      case Kind::Bytes: return MakeBuffer(env, v.text);
      case Kind::TypedArray: return MakeTypedArray(env, v);
      case Kind::NumberList: return NumberList(v);
      case Kind::List: {
        napi_create_array_with_length(env, v.items.size(), &out);
        for (size_t i = 0; i < v.items.size(); i++) napi_set_element(env, out, i, Build(v.items[i]));
        return out;
      }
      case Kind::Dict: {
        napi_create_object(env, &out);
        for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
          napi_value key = Build(v.items[i]);
          napi_value value = Build(v.items[i + 1]);
          const Value& k = v.items[i];
          if (k.enc == StrEnc::Latin1 && k.text == "__proto__") {
            // Assigning "__proto__" would call the setter and make the value this
            // object's prototype; a dict key must stay an own, plain property.
            napi_property_descriptor d{nullptr, key, nullptr, nullptr, nullptr, value, napi_default_jsproperty, nullptr};
            napi_define_properties(env, out, 1, &d);
          } else {
            napi_set_property(env, out, key, value);
          }
        }
        return out;
      }
      case Kind::Map: {
        Napi::Object m = mapCtor.New({});
        Napi::Function set = m.Get("set").As<Napi::Function>();
        for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
          napi_value k = Build(v.items[i]);
          napi_value e = Build(v.items[i + 1]);
          set.Call(m, {k, e});
        }
        return m;
      }
      case Kind::Set: {
        Napi::Object s = setCtor.New({});
        Napi::Function add = s.Get("add").As<Napi::Function>();
        for (auto& item : v.items) add.Call(s, {Build(item)});
        return s;
      }
      case Kind::Opaque: {
        Napi::Value type = Napi::String::New(env, v.aux);
        // Through Str(): a repr longer than V8 allows is cut with a note, not thrown.
        Value text;
        text.kind = Kind::Str;
        text.enc = StrEnc::Utf8;
        text.text = std::move(v.text);
        Napi::Value repr(env, Str(env, text));
        return pyValue.New({type, repr});
      }
    }
    napi_get_undefined(env, &out);
    return out;
  }
};

}  // namespace

Napi::Value ToJs(Napi::Env env, Value& v, Napi::Function pyValueCtor, Napi::Function unpackNumbers) {
  // Scalars are the common case; avoid looking up Map/Set for them.
  if (v.kind != Kind::Map && v.kind != Kind::Set && v.kind != Kind::Dict && v.kind != Kind::List) {
    Builder b{env, pyValueCtor, Napi::Function(), Napi::Function(), unpackNumbers};
    return Napi::Value(env, b.Build(v));
  }
  Builder b{env, pyValueCtor, env.Global().Get("Map").As<Napi::Function>(),
            env.Global().Get("Set").As<Napi::Function>(), unpackNumbers};
  return Napi::Value(env, b.Build(v));
}

}  // namespace pyc::convert
