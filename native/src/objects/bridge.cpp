#include "objects/bridge.h"

#include <cmath>

#include "convert/from_js.h"
#include "convert/to_js.h"
#include "objects/addon_data.h"
#include "objects/macros.h"
#include "runtime/host_calls.h"
#include "runtime/state_store.h"

namespace pyc {
namespace {

using convert::Value;
using state::Fail;
using state::Store;

Napi::Function Numbers(Napi::Env env) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data && !data->numbers.IsEmpty()) return data->numbers.Value();
  return Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return info.Env().Undefined(); });
}

Napi::Function UnpackNumbers(Napi::Env env) {
  AddonData* data = env.GetInstanceData<AddonData>();
  return data && !data->unpackNumbers.IsEmpty() ? data->unpackNumbers.Value() : Napi::Function();
}

Napi::Function PyValueOf(const Napi::CallbackInfo& info) {
  return info.Data() ? static_cast<Napi::FunctionReference*>(info.Data())->Value() : Napi::Function();
}

void Throw(Napi::Env env, const state::Result& r) {
  switch (r.fail) {
    case Fail::Type: throw Napi::TypeError::New(env, r.message);
    case Fail::Limit:
    case Fail::Overflow: throw Napi::RangeError::New(env, r.message);
    default: throw Napi::Error::New(env, r.message);
  }
}

Value Storable(Napi::Env env, const std::string& key, Napi::Value v) {
  Value out = convert::FromJs(env, v, "state['" + key + "']", Numbers(env));
  state::Result r = Store::Prepare(key, out);
  if (!r.ok()) Throw(env, r);
  return out;
}

std::string KeyArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "the key must be a string");
  return info[0].As<Napi::String>().Utf8Value();
}

Napi::Value StateGet(const Napi::CallbackInfo& info) {
  std::string key = KeyArg(info);
  Value v;
  if (!Store::Instance().Get(key, v).ok()) return info.Env().Undefined();
  return convert::ToJs(info.Env(), v, PyValueOf(info), UnpackNumbers(info.Env()));
}

Napi::Value StateSet(const Napi::CallbackInfo& info) {
  std::string key = KeyArg(info);
  Value v = Storable(info.Env(), key, info.Length() > 1 ? info[1] : info.Env().Undefined());
  state::Result r = Store::Instance().Set(key, std::move(v));
  if (!r.ok()) Throw(info.Env(), r);
  return info.Env().Undefined();
}

Napi::Value StateDelete(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Store::Instance().Delete(KeyArg(info)).ok());
}

Napi::Value StateKeys(const Napi::CallbackInfo& info) {
  std::vector<std::string> keys = Store::Instance().Keys();
  Napi::Array out = Napi::Array::New(info.Env(), keys.size());
  for (uint32_t i = 0; i < keys.size(); i++) out.Set(i, Napi::String::New(info.Env(), keys[i]));
  return out;
}

Napi::Value StateIncr(const Napi::CallbackInfo& info) {
  std::string key = KeyArg(info);
  Value by = Value::integer(1);
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsNumber()) throw Napi::TypeError::New(info.Env(), "incr(key, n): n must be a number");
    double n = info[1].As<Napi::Number>().DoubleValue();
    if (std::trunc(n) == n && std::fabs(n) <= 9007199254740991.0) by = Value::integer(static_cast<int64_t>(n));
    else by = Value::number(n);
  }
  Value out;
  state::Result r = Store::Instance().Incr(key, by, out);
  if (!r.ok()) Throw(info.Env(), r);
  return convert::ToJs(info.Env(), out, PyValueOf(info), UnpackNumbers(info.Env()));
}

Napi::Value StateClear(const Napi::CallbackInfo& info) {
  Store::Instance().Clear();
  return info.Env().Undefined();
}

// stateLimits(maxEntries?, maxBytes?) -> { maxEntries, maxBytes, entries, bytes }
Napi::Value StateLimits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  state::Limits l = Store::Instance().GetLimits();
  if (info.Length() > 0 && info[0].IsNumber()) l.maxEntries = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  if (info.Length() > 1 && info[1].IsNumber()) l.maxBytes = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  Store::Instance().SetLimits(l);
  Napi::Object out = Napi::Object::New(env);
  out.Set("maxEntries", Napi::Number::New(env, static_cast<double>(l.maxEntries)));
  out.Set("maxBytes", Napi::Number::New(env, static_cast<double>(l.maxBytes)));
  out.Set("entries", Napi::Number::New(env, static_cast<double>(Store::Instance().Size())));
  out.Set("bytes", Napi::Number::New(env, static_cast<double>(Store::Instance().Bytes())));
  return out;
}

Napi::Value StateChanges(const Napi::CallbackInfo& info) {
  std::vector<std::string> keys = Store::Instance().TakeChanges();
  Napi::Array out = Napi::Array::New(info.Env(), keys.size());
  for (uint32_t i = 0; i < keys.size(); i++) out.Set(i, Napi::String::New(info.Env(), keys[i]));
  return out;
}

// stateRepr(key, maxChars) -> string | undefined: a short Python-like repr for the tree.
Napi::Value StateRepr(const Napi::CallbackInfo& info) {
  std::string key = KeyArg(info);
  size_t max = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 80;
  auto repr = Store::Instance().Repr(key, max);
  if (!repr) return info.Env().Undefined();
  return Napi::String::New(info.Env(), *repr);
}

// hostReply(id, ok, value): the answer to a HostCall event. A value JS cannot send becomes an
// error answer, so the Python caller never waits for ever.
Napi::Value HostReply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PYC_CHECK_ARG(info.Length() >= 3 && info[0].IsNumber(), "hostReply(id, ok, value) expects a request id");
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  bool ok = info[1].ToBoolean().Value();
  Value v;
  try {
    v = convert::FromJs(env, info[2], "result", Numbers(env));
  } catch (const Napi::Error& e) {
    ok = false;
    v = Value::dict();
    v.put("type", Value::utf8("TypeError"));
    v.put("message", Value::utf8("the host function's result cannot be sent to Python: " + e.Message()));
    v.put("stack", Value::utf8(""));
  }
  state::Result r = Store::Prepare("result", v);  // lent JS memory must be copied: the call ends now
  (void)r;
  host::Reply(id, ok, std::move(v));
  return env.Undefined();
}

Napi::Value HostPending(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(host::Pending()));
}

}  // namespace

Napi::Object MakeBridge(Napi::Env env, std::shared_ptr<EventSink> sink, Napi::Function pyValue) {
  Store::Instance().SetSink(sink);
  Store::Instance().Clear();
  Store::Instance().TakeChanges();
  host::SetSink(sink);
  // The PyValue class, for values JS gets back; owned by the returned object's finalizer.
  auto* ref = new Napi::FunctionReference(Napi::Persistent(pyValue));
  Napi::Object out = Napi::Object::New(env);
  out.AddFinalizer([](Napi::Env, Napi::FunctionReference* r) { delete r; }, ref);
  auto fn = [&](const char* name, Napi::Function::Callback cb) { out.Set(name, Napi::Function::New(env, cb, name, ref)); };
  fn("stateGet", StateGet);
  fn("stateSet", StateSet);
  fn("stateDelete", StateDelete);
  fn("stateKeys", StateKeys);
  fn("stateIncr", StateIncr);
  fn("stateClear", StateClear);
  fn("stateLimits", StateLimits);
  fn("stateChanges", StateChanges);
  fn("stateRepr", StateRepr);
  fn("hostReply", HostReply);
  fn("hostPending", HostPending);
  return out;
}

}  // namespace pyc
