// The loader: a tiny addon with no libpython dependency.
//
// The engine core (core_cp3XX[t].node) is compiled once per Python ABI and is not linked
// against any libpython: its Python symbols stay undefined until a libpython is loaded
// globally. This addon does that loading, with RTLD_NOW | RTLD_GLOBAL, for the libpython
// that the chosen interpreter reports through sysconfig (as R's reticulate and Julia's
// PythonCall.jl do). RTLD_GLOBAL is also what lets C extension modules (math, _json,
// numpy…) find Python's symbols: Node loads addons RTLD_LOCAL.
//
// Only one libpython can live in a process: CPython cannot be re-initialized with another
// one, and two would fight over their global state. The first library loaded is therefore
// remembered and reported, and the TypeScript loader refuses another.
//
// No Python is touched here, so no GIL rule applies: everything runs on the JS thread.
#include <dlfcn.h>
#include <napi.h>

#include <string>

namespace {

std::string g_loaded;  // the path of the libpython loaded globally, once

Napi::Value LoadLibrary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "loadLibrary(path): path must be a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (!g_loaded.empty()) {
    if (g_loaded == path) return env.Undefined();
    Napi::Error::New(env, "another libpython is already loaded in this process: " + g_loaded)
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  dlerror();
  // The handle stays open for the life of the process on purpose.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char* why = dlerror();
    Napi::Error::New(env, why ? why : ("dlopen failed for " + path)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  g_loaded = path;
  return env.Undefined();
}

Napi::Value Loaded(const Napi::CallbackInfo& info) {
  if (g_loaded.empty()) return info.Env().Undefined();
  return Napi::String::New(info.Env(), g_loaded);
}

// True when a symbol of the C API is already visible globally, for instance because the host
// process itself embeds Python: a second libpython must then not be loaded beside it.
Napi::Value HasGlobalSymbol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "hasGlobalSymbol(name): name must be a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(env, dlsym(RTLD_DEFAULT, name.c_str()) != nullptr);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("loadLibrary", Napi::Function::New(env, LoadLibrary));
  exports.Set("loaded", Napi::Function::New(env, Loaded));
  exports.Set("hasGlobalSymbol", Napi::Function::New(env, HasGlobalSymbol));
  return exports;
}

}  // namespace

NODE_API_MODULE(py_contexts_loader, Init)
