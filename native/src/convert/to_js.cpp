#include "convert/to_js.h"

#include <algorithm>
#include <cstring>

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

napi_value MakeTypedArray(napi_env env, const Value& v) {
  napi_typedarray_type type;
  size_t item;
  switch (v.aux.empty() ? 'B' : v.aux[0]) {
    case 'b': type = napi_int8_array; item = 1; break;
    case 'B': type = napi_uint8_array; item = 1; break;
    case 'h': type = napi_int16_array; item = 2; break;
    case 'H': type = napi_uint16_array; item = 2; break;
    case 'i': type = napi_int32_array; item = 4; break;
    case 'I': type = napi_uint32_array; item = 4; break;
    case 'q': type = napi_bigint64_array; item = 8; break;
    case 'Q': type = napi_biguint64_array; item = 8; break;
    case 'f': type = napi_float32_array; item = 4; break;
    default: type = napi_float64_array; item = 8; break;
  }
  void* data;
  napi_value ab, out;
  napi_create_arraybuffer(env, v.text.size(), &data, &ab);
  if (!v.text.empty()) std::memcpy(data, v.text.data(), v.text.size());
  napi_create_typedarray(env, type, v.text.size() / item, ab, 0, &out);
  return out;
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
      case Kind::NumberList: {
        size_t n = v.text.size() / sizeof(double);
        const double* d = reinterpret_cast<const double*>(v.text.data());
        napi_create_array_with_length(env, n, &out);
        for (size_t i = 0; i < n; i++) {
          napi_value e;
          napi_create_double(env, d[i], &e);
          napi_set_element(env, out, i, e);
        }
        return out;
      }
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

Napi::Value ToJs(Napi::Env env, Value& v, Napi::Function pyValueCtor) {
  // Scalars are the common case; avoid looking up Map/Set for them.
  if (v.kind != Kind::Map && v.kind != Kind::Set && v.kind != Kind::Dict && v.kind != Kind::List) {
    Builder b{env, pyValueCtor, Napi::Function(), Napi::Function()};
    return Napi::Value(env, b.Build(v));
  }
  Builder b{env, pyValueCtor, env.Global().Get("Map").As<Napi::Function>(),
            env.Global().Get("Set").As<Napi::Function>()};
  return Napi::Value(env, b.Build(v));
}

}  // namespace pyc::convert
