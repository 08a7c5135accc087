// convert::Value -> Python object, on a context thread.
// GIL RULE: the caller holds the GIL.
#pragma once
#include "convert/value.h"
#include "runtime/py_ref.h"

namespace pyc::convert {

// Returns a new reference, or a null PyRef with a Python exception set.
PyRef ToPython(const Value& v);

}  // namespace pyc::convert
