// What a sub-interpreter that user code creates on a context thread sees of that thread.
//
// Python 3.13 changed how `threading` names the main thread: in every interpreter it is the
// thread that initialized the runtime (here the engine's runtime thread), no longer the thread
// that imported `threading` in that interpreter. A sub-interpreter made with the legacy
// Py_NewInterpreter() on a context thread (C extensions, `_testcapi.run_in_subinterp`) then
// sees the context thread as a daemon `_DummyThread`, so the threads its code starts are daemon
// too: Py_EndInterpreter() does not join them and aborts the whole process with "not the last
// thread" while they run. From the main thread of a script, the same code joins its threads.
//
// A C audit hook (runtime-wide, so it sees imports in every interpreter) notices `threading`
// being imported on a context thread in an interpreter that is not the engine's, and has that
// module record the thread as a non-daemon thread named after its context once it has loaded.
// Threads started there then default to daemon=False and are joined as in a script.
//
// GIL RULE: Install() runs on the runtime thread with the main interpreter's GIL held, after
// each Py_Initialize (finalization clears audit hooks). The hook runs on whatever thread raises
// an audit event, holding that interpreter's GIL; off context threads it returns at once.
#pragma once

namespace pyc::foreign_interpreters {

void Install();

}  // namespace pyc::foreign_interpreters
