// convert::Value: a Python-free, JS-free tree of plain data.
//
// Values are how data crosses threads. The JS thread builds them from napi values
// (from_js) and turns them back into napi values (to_js) without the GIL; context
// threads turn them into PyObjects (to_python) and build them from PyObjects
// (from_python) while holding the GIL. Nothing here references either runtime, so a
// Value can be moved freely between threads.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pyc::convert {

enum class Kind : uint8_t {
  Undefined,
  Null,
  Bool,
  Int,         // fits in a JS safe integer
  Float,
  BigInt,      // sign + little-endian 64-bit words
  Str,         // text, see StrEnc
  Bytes,       // bytes / Buffer
  TypedArray,  // raw items + struct format char (JS typed array <-> memoryview)
  NumberList,  // numbers in bulk (Array <-> list): doubles, or int32 when aux is "i"
  List,        // Array / list / tuple
  Dict,        // items = k0, v0, k1, v1 …; str keys -> plain object
  Map,         // items = k0, v0 …; any keys -> Map
  Set,
  Opaque,      // a Python object with no JS mapping: text = repr, aux = type name
};

enum class StrEnc : uint8_t { Latin1, Utf16, Utf8 };

// JS memory lent to Python without a copy (large typed arrays). The JS side keeps
// the typed array alive through a napi reference; when the last holder of this
// token dies (the Value, or the Python memoryview's exporter), `release` posts the
// reference's deletion to the JS thread.
struct SharedMemory {
  void* data = nullptr;
  size_t length = 0;
  std::function<void()> release;
  ~SharedMemory() {
    if (release) release();
  }
};

struct Value {
  Kind kind = Kind::Undefined;
  StrEnc enc = StrEnc::Utf8;
  bool flag = false;  // Bool value, or BigInt sign (true = negative)
  int64_t i = 0;
  double d = 0;
  std::string text;   // Str / Bytes / TypedArray / NumberList payload, Opaque repr
  std::string aux;    // TypedArray format char, NumberList "i" (int32), Opaque type name
                      // TypedArray: flag set = N-D, shape in items (Int values)
  std::vector<uint64_t> words;  // BigInt magnitude
  std::vector<Value> items;
  std::shared_ptr<SharedMemory> shared;  // TypedArray lent without copying (text unused)

  static Value null() { Value v; v.kind = Kind::Null; return v; }
  static Value boolean(bool b) { Value v; v.kind = Kind::Bool; v.flag = b; return v; }
  static Value integer(int64_t n) { Value v; v.kind = Kind::Int; v.i = n; return v; }
  static Value number(double n) { Value v; v.kind = Kind::Float; v.d = n; return v; }
  static Value utf8(std::string s) { Value v; v.kind = Kind::Str; v.enc = StrEnc::Utf8; v.text = std::move(s); return v; }
  static Value list() { Value v; v.kind = Kind::List; return v; }
  static Value dict() { Value v; v.kind = Kind::Dict; return v; }

  // Convenience for building Dict values with string keys.
  void put(std::string key, Value val) {
    items.push_back(utf8(std::move(key)));
    items.push_back(std::move(val));
  }
};

// Nesting deeper than this is refused in both directions, so hostile or
// accidental deep structures give a clear error instead of a stack overflow.
constexpr int kMaxDepth = 1000;

}  // namespace pyc::convert
