// Capturing Python exceptions.
//
// GIL RULE: CaptureError runs on a context thread while it holds the GIL, right
// where the exception happened, and turns it into plain data (a convert::Value
// dict: type, message, traceback, frames). The JS thread later builds the
// PythonError from that data without ever touching Python.
#pragma once
#include "convert/value.h"

namespace pyc::errors {

// Fetches and clears the current Python exception. Never fails: if the runtime's
// describe_error helper itself raises, a minimal description is built in C++.
convert::Value CaptureError();

// A description for errors raised by the addon itself (not by Python code).
convert::Value MakeError(const std::string& type, const std::string& message);

}  // namespace pyc::errors
