// `_py_contexts_native`: the built-in module through which Python code running
// in a context talks back to JS (output, display, input, interruptible sleep).
//
// GIL RULE: its functions are called by Python with the GIL held; any of them
// that waits for the JS thread releases the GIL while waiting.
#pragma once
#include <Python.h>

#include <memory>
#include <string>

#include "convert/value.h"

namespace pyc {

constexpr const char* kNativeModuleName = "_py_contexts_native";
PyObject* InitNativeModule();

// A buffer exporter over JS memory (writable, 1-D, struct format `format`). It holds
// the SharedMemory token, so the JS typed array lives as long as any Python view.
PyObject* NewJsBuffer(std::shared_ptr<convert::SharedMemory> mem, const std::string& format);

}  // namespace pyc
