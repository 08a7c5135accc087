#include "runtime/interpreter.h"

#include "runtime/foreign_interpreters.h"
#include "runtime/native_module.h"
#include "runtime/py_error.h"
#include "runtime/py_ref.h"

namespace pyc {

Interpreter& Interpreter::Instance() {
  // Leaked on purpose, like the other process-wide tables: process.exit() runs static
  // destructors while context and user threads still run Python, and they read the
  // entry points (a destroyed instance crashed them, seen on 3.10).
  static Interpreter* instance = new Interpreter();
  return *instance;
}

namespace {

// atexit callbacks are user code too: one that never returns (a sleep, a loop, a join
// on a stuck thread) made shutdown() hang forever inside Py_FinalizeEx. Run them on a
// daemon thread with a deadline instead. True when they finished (they are then
// cleared, so Py_FinalizeEx does not run them again).
bool RunAtexitWithDeadline() {
  PyRef globals = PyRef::steal(PyDict_New());
  if (!globals || PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0) {
    PyErr_Clear();
    return true;
  }
  PyRef r = PyRef::steal(PyRun_String(
      "import atexit, threading\n"
      "done = threading.Event()\n"
      "def run():\n"
      "    try:\n"
      "        atexit._run_exitfuncs()\n"
      "    finally:\n"
      "        done.set()\n"
      "t = threading.Thread(target=run, daemon=True, name='py-contexts-atexit')\n"
      "t.start()\n"
      "ok = done.wait(2.0)\n"
      "if ok:\n"
      "    t.join(1.0)\n",
      Py_file_input, globals.get(), globals.get()));
  if (!r) {
    PyErr_Clear();
    return true;
  }
  return PyDict_GetItemString(globals.get(), "ok") == Py_True;
}

// Threads other than the calling one that are inside Python code right now: user
// threads (daemon or not; threading's shutdown wait is disabled) and threads of C
// extensions. Context threads have ended before finalization.
Py_ssize_t OtherPythonThreads() {
  PyObject* current = PySys_GetObject("_current_frames");  // borrowed
  PyRef frames = current ? PyRef::steal(PyObject_CallNoArgs(current)) : PyRef();
  if (!frames) {
    PyErr_Clear();
    return 0;
  }
  Py_ssize_t n = PyDict_Size(frames.get());
  return n > 0 ? n - 1 : 0;
}

// The last buffered output of user threads, before the interpreter is left to the exit.
void FlushStdStreams() {
  if (PyRun_SimpleString("import sys as _s\n"
                         "for _f in (_s.stdout, _s.stderr):\n"
                         "    try:\n"
                         "        _f.flush()\n"
                         "    except Exception:\n"
                         "        pass\n") < 0) {
    PyErr_Clear();
  }
}

// Python 3.10 only: a thread waiting for the GIL wakes every switch interval, checks whether
// finalization has begun and, if not, posts a drop request to its interpreter. The main
// interpreter is heap-allocated there (3.11 embeds it in _PyRuntime), so a waiter preempted
// between that check and the request writes into freed memory once Py_FinalizeEx has run
// meanwhile: SIGSEGV in take_gil, in about 1 shutdown in 3 with ten user threads alive. A
// longer switch interval made it rarer but let finalization stall for seconds on each GIL
// hand-over. So on 3.10 an interpreter with user threads alive is not finalized at all.
constexpr bool kFinalizeRacesUserThreads = PY_VERSION_HEX < 0x030B0000;

bool Check(PyStatus status, std::string& error) {
  if (!PyStatus_Exception(status)) return true;
  error = std::string("Python failed to initialize: ") + (status.err_msg ? status.err_msg : "unknown error");
  if (status.func) error += std::string(" (in ") + status.func + ")";
  return false;
}

}  // namespace

bool Interpreter::Start(const StartConfig& cfg, std::string& version, std::string& error) {
  // The inittab outlives finalization; register the module only once per process.
  static bool registered = false;
  if (!registered && PyImport_AppendInittab(kNativeModuleName, &InitNativeModule) < 0) {
    error = "could not register the _py_contexts_native module";
    return false;
  }
  registered = true;
  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  // Node owns the process's signals; Python must not install SIGINT handlers.
  config.install_signal_handlers = 0;
  config.parse_argv = 0;
  config.buffered_stdio = 0;
  bool ok = Check(PyConfig_SetBytesString(&config, &config.program_name, cfg.executable.c_str()), error) &&
            Check(PyConfig_SetBytesString(&config, &config.executable, cfg.executable.c_str()), error);
  if (ok) {
    wchar_t empty[] = L"";
    wchar_t* argv[] = {empty};
    ok = Check(PyConfig_SetArgv(&config, 1, argv), error);
  }
  if (ok) ok = Check(Py_InitializeFromConfig(&config), error);
  PyConfig_Clear(&config);
  if (!ok) return false;

  mainState_ = PyThreadState_Get();
  interp_ = PyThreadState_GetInterpreter(mainState_);
  foreign_interpreters::Install();
  version = Py_GetVersion();

  // Make the py_contexts package importable, then import the runtime module.
  pythonDir_ = cfg.pythonDir;
  if (!entries_.Load(cfg.pythonDir, error)) {
    Py_FinalizeEx();
    mainState_ = nullptr;
    interp_ = nullptr;
    return false;
  }
  running_ = true;
  // The runtime thread keeps its thread state but lets go of the GIL: from here on
  // context threads take turns holding it.
  PyEval_SaveThread();
  return true;
}

bool Interpreter::Finalize(bool processExiting) {
  if (!running_) return true;
  PyEval_RestoreThread(mainState_);
  entries_.Clear();
  // Non-daemon threads started by user code would make finalization wait for them
  // forever; forget them (they are killed when they next touch Python).
  // Py_FinalizeEx waits for them in threading._shutdown(): 3.11 through its _shutdown_locks,
  // 3.13 through thread handles that cannot be dropped. Making _shutdown a no-op works on both.
  PyRun_SimpleString(
      "import threading as _t\n"
      "try:\n"
      "    _t._shutdown_locks.clear()\n"
      "except Exception:\n"
      "    pass\n"
      "_t._shutdown = lambda: None\n");
  if (!RunAtexitWithDeadline()) {
    // A callback is still running: finalizing now would wait for it. Leave the
    // interpreter to the process exit, as with a context thread stuck in C.
    PyEval_SaveThread();
    return false;
  }
  if ((processExiting || kFinalizeRacesUserThreads) && OtherPythonThreads() > 0) {
    FlushStdStreams();
    PyEval_SaveThread();
    return false;
  }
  Py_FinalizeEx();
  running_ = false;
  mainState_ = nullptr;
  interp_ = nullptr;
  return true;
}

void Interpreter::Abandon() {
  // Keep everything as it is: a stuck thread may still run Python code.
  running_ = false;
}

}  // namespace pyc
