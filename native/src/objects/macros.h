// Argument checks for the JS-visible classes: validate in TypeScript, enforce again
// here, and fail with a TypeError that says what was expected (never a crash).
#pragma once
#include <napi.h>

#include <deque>

#define PYC_CHECK_ARG(cond, msg)                                             \
  do {                                                                       \
    if (!(cond)) {                                                           \
      Napi::TypeError::New(info.Env(), msg).ThrowAsJavaScriptException();    \
      return info.Env().Undefined();                                         \
    }                                                                        \
  } while (0)

namespace pyc {

// Call ids (e.g. of jobs dropped from a stopped queue) as a JS array of numbers.
inline Napi::Array CallIdsToJs(Napi::Env env, const std::deque<uint32_t>& ids) {
  Napi::Array out = Napi::Array::New(env, ids.size());
  uint32_t i = 0;
  for (uint32_t c : ids) out.Set(i++, Napi::Number::New(env, c));
  return out;
}

}  // namespace pyc
