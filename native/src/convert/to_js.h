// convert::Value -> JS value, on the JS thread (no GIL).
#pragma once
#include <napi.h>
#include "convert/value.h"

namespace pyc::convert {

// `pyValueCtor` is the injected PyValue class: new PyValue(type, repr) for opaque objects.
// Consumes `v`: large byte payloads and typed arrays are handed over without a second
// copy where the runtime allows external buffers; a shared numpy buffer is released
// through runtime/releaser.h when V8 collects the typed array, never with the GIL here.
// `unpackNumbers` (Float64Array) => number[] unpacks number lists in one JS call; without
// it they are built element by element.
Napi::Value ToJs(Napi::Env env, Value& v, Napi::Function pyValueCtor,
                 Napi::Function unpackNumbers = Napi::Function());

}  // namespace pyc::convert
