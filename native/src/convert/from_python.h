// Python object -> convert::Value, on a context thread.
// GIL RULE: the caller holds the GIL.
#pragma once
#include <Python.h>
#include <string>
#include "convert/value.h"

namespace pyc::convert {

struct FromPythonOptions {
  // Lend C-contiguous numpy arrays to JS without copying (a call's result; see
  // Walker::Buffer). Off for values that are stored or sent back to Python.
  bool shareBuffers = false;
};

// On failure returns false with `error` describing the problem and the path
// (e.g. "result[0]['a']: nesting deeper than 1000 levels"); no Python error is left set.
bool FromPython(PyObject* obj, Value& out, std::string& error, const FromPythonOptions& opts = {});

// str -> Value (exact, lone surrogates included). Never fails.
Value StrValue(PyObject* str);

// repr(obj) as UTF-8, or a placeholder when repr itself fails.
std::string SafeRepr(PyObject* obj);

}  // namespace pyc::convert
