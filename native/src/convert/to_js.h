// convert::Value -> JS value, on the JS thread (no GIL).
#pragma once
#include <napi.h>
#include "convert/value.h"

namespace pyc::convert {

// `pyValueCtor` is the injected PyValue class: new PyValue(type, repr) for opaque objects.
// Consumes `v`: large byte payloads are handed over without a second copy where the
// runtime allows external buffers.
Napi::Value ToJs(Napi::Env env, Value& v, Napi::Function pyValueCtor);

}  // namespace pyc::convert
