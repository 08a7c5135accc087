// The shared-state and host-call functions of `_py_contexts_native` (added to the module by
// InitNativeModule): state_* over runtime/state_store.h and host_call over runtime/host_calls.h.
// python/py_contexts/state.py and host.py wrap them.
//
// GIL RULE: called by Python with the GIL held (or attached, on a free-threaded build).
// Values are converted under it; the store's own mutex guards the table; host_call releases
// the GIL while it waits for the JS thread. The module is declared safe without the GIL.
#pragma once
#include <Python.h>

namespace pyc {

extern PyMethodDef kBridgeMethods[];

}  // namespace pyc
