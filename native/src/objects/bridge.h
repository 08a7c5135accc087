// The JS side of the shared state and of host calls: `engine.bridge(PyValue)` returns a plain
// object of functions (stateGet, stateSet, …, hostReply) that src/engine/bridge.ts wraps.
//
// GIL RULE: every function here runs on the JS thread and never takes the GIL. The state store
// and the host-call table are plain C++ guarded by their own mutexes (runtime/state_store.h,
// runtime/host_calls.h); values are converted from and to JS with convert::FromJs/ToJs.
#pragma once
#include <napi.h>

#include <memory>

#include "runtime/events.h"

namespace pyc {

// Points the store's change notices and the host-call requests at `sink`, empties the store
// (it lives as long as one engine) and returns the functions.
Napi::Object MakeBridge(Napi::Env env, std::shared_ptr<EventSink> sink, Napi::Function pyValue);

}  // namespace pyc
