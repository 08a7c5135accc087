// Per-Node-environment state of the addon (napi instance data).
#pragma once
#include <napi.h>

namespace pyc {

struct AddonData {
  Napi::FunctionReference contextCtor;
  Napi::FunctionReference numbers;  // (array) => Float64Array | undefined
  Napi::FunctionReference unpackNumbers;  // (Float64Array) => number[]
};

}  // namespace pyc
