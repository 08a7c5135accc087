// JS value -> convert::Value, on the JS thread (no GIL).
#pragma once
#include <napi.h>
#include "convert/value.h"

namespace pyc::convert {

// Throws Napi::TypeError naming the path (e.g. "args[0].a.b") for cycles,
// functions, symbols and nesting deeper than kMaxDepth. `numbersHelper` is a JS
// function (array) => Float64Array | undefined used to move number arrays in bulk.
// Makes the release callback for JS memory lent to Python (see SharedMemory).
using ShareHook = std::function<std::function<void()>(napi_ref)>;

// Large typed arrays are lent, not copied, when `share` is set.
Value FromJs(Napi::Env env, Napi::Value v, const std::string& rootName, Napi::Function numbersHelper,
             const ShareHook& share = nullptr);

// A call's argument list as a Value list. A TypeError names the argument by `names[i]`
// (the JS API's parameter names) or else "payload[i]".
Value ArgumentsFromJs(Napi::Env env, Napi::Array args, Napi::Array names, Napi::Function numbersHelper,
                      const ShareHook& share);

}  // namespace pyc::convert
