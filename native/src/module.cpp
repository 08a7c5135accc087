// Entry point of an engine core (core_<abi>.node).
//
// A core is linked against no libpython: the loader addon (src/loader/loader.cpp) has
// already loaded the chosen interpreter's libpython with RTLD_GLOBAL, which resolves the
// core's Python symbols and lets C extension modules (math, _json, numpy…) find them too.
// As a last guard, a core refuses a libpython of another minor version (or the other
// GIL flavour) than the headers it was built with, which would crash or corrupt memory.
#include <dlfcn.h>
#include <napi.h>
#include <Python.h>

#include <cstdio>

#ifndef PY_CONTEXTS_ABI
#define PY_CONTEXTS_ABI "unknown"
#endif
#include <string>

#include "objects/addon_data.h"
#include "objects/context.h"
#include "objects/engine.h"

namespace pyc {
namespace {

std::string LibpythonPath() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&Py_InitializeFromConfig), &info) && info.dli_fname) return info.dli_fname;
  return "";
}

Napi::Value SetNumbersHelper(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(info.Env(), "setNumbersHelper(pack, unpack?) expects functions").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  AddonData* data = info.Env().GetInstanceData<AddonData>();
  data->numbers = Napi::Persistent(info[0].As<Napi::Function>());
  if (info.Length() >= 2 && info[1].IsFunction()) data->unpackNumbers = Napi::Persistent(info[1].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Py_GetVersion is safe to call before initialization: "3.11.7 (main, …)".
  std::string runtime = Py_GetVersion();
  char built[32];
  std::snprintf(built, sizeof built, "%d.%d.", PY_MAJOR_VERSION, PY_MINOR_VERSION);
  if (runtime.rfind(built, 0) != 0) {
    Napi::Error::New(env, "this py-contexts engine core (" PY_CONTEXTS_ABI ") was built for Python " +
                              std::string(PY_VERSION) + " but the libpython loaded is " +
                              runtime.substr(0, runtime.find(' ')) + " (" + LibpythonPath() + ")")
        .ThrowAsJavaScriptException();
    return exports;
  }
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  Napi::Function context = Context::Define(env);
  data->contextCtor = Napi::Persistent(context);
  exports.Set("Context", context);
  exports.Set("Engine", Engine::Define(env));
  exports.Set("setNumbersHelper", Napi::Function::New(env, SetNumbersHelper));
  exports.Set("builtVersion", Napi::String::New(env, PY_VERSION));
  exports.Set("libpythonVersion", Napi::String::New(env, runtime));
  exports.Set("libpythonPath", Napi::String::New(env, LibpythonPath()));
  exports.Set("abi", Napi::String::New(env, PY_CONTEXTS_ABI));
  exports.Set("ownGil", Napi::Boolean::New(env, kOwnGilSupported));
#ifdef Py_GIL_DISABLED
  exports.Set("freeThreaded", Napi::Boolean::New(env, true));
#else
  exports.Set("freeThreaded", Napi::Boolean::New(env, false));
#endif
  return exports;
}

}  // namespace
}  // namespace pyc

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return pyc::Init(env, exports); }

NODE_API_MODULE(py_contexts, InitAddon)
