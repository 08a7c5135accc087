#include "runtime/foreign_interpreters.h"

#include <Python.h>
#include <cstring>

#include "objects/context.h"
#include "runtime/py_ref.h"

namespace pyc::foreign_interpreters {

#if PY_VERSION_HEX >= 0x030D0000
namespace {

// Runs in the foreign interpreter, on the context thread, while its import of `threading` is
// about to start. A one-shot meta path finder wraps the module's loader: after the module body
// has run, the importing thread is registered like a script's main thread (non-daemon) unless
// threading already knows it. Nothing here imports `threading` (importlib.util would).
constexpr const char* kPatch = R"PY(
import sys as _sys

class _PyContextsThreadingFinder:
    thread_name = None

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != 'threading':
            return None
        try:
            _sys.meta_path.remove(cls)
        except ValueError:
            pass
        for finder in list(_sys.meta_path):
            find = getattr(finder, 'find_spec', None)
            spec = find(name, path, target) if find else None
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, cls.thread_name)
                return spec
        return None

class _Loader:
    def __init__(self, loader, thread_name):
        self._loader = loader
        self._thread_name = thread_name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        import _thread
        ident = _thread.get_ident()
        if ident in module._active:
            return
        thread = module._DummyThread()
        thread._daemonic = False
        thread._name = self._thread_name

    def __getattr__(self, name):
        return getattr(self._loader, name)

_PyContextsThreadingFinder.thread_name = _thread_name
_sys.meta_path.insert(0, _PyContextsThreadingFinder)
)PY";

int Hook(const char* event, PyObject* args, void*) {
  // Every audit event of every interpreter passes here: leave at once when it is not ours.
  if (event[0] != 'i' || std::strcmp(event, "import") != 0) return 0;
  ContextCore* core = ContextCore::Current();
  if (!core || !core->tstate()) return 0;  // between contexts' thread states (start-up, exit)
  PyThreadState* ts = PyThreadState_Get();
  if (PyThreadState_GetInterpreter(ts) == PyThreadState_GetInterpreter(core->tstate())) return 0;
  PyObject* name = PyTuple_Size(args) > 0 ? PyTuple_GetItem(args, 0) : nullptr;  // borrowed
  if (!name || !PyUnicode_Check(name) || PyUnicode_CompareWithASCIIString(name, "threading") != 0) return 0;
  PyObject* modules = PyImport_GetModuleDict();  // borrowed
  if (PyDict_GetItemString(modules, "threading")) return 0;  // already loaded: nothing to patch
  // An error here must not fail the user's import: report nothing, change nothing.
  PyObject* pending = PyErr_GetRaisedException();
  PyRef globals = PyRef::steal(PyDict_New());
  PyRef threadName = PyRef::steal(PyUnicode_FromString(("py-contexts " + core->id()).c_str()));
  if (globals && threadName && PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) == 0 &&
      PyDict_SetItemString(globals.get(), "_thread_name", threadName.get()) == 0) {
    PyRef r = PyRef::steal(PyRun_String(kPatch, Py_file_input, globals.get(), globals.get()));
  }
  PyErr_Clear();
  PyErr_SetRaisedException(pending);
  return 0;
}

}  // namespace

void Install() {
  if (PySys_AddAuditHook(&Hook, nullptr) < 0) PyErr_Clear();
}
#else
// Up to 3.12 `threading` takes the thread that imports it in a new interpreter for its main thread.
void Install() {}
#endif

}  // namespace pyc::foreign_interpreters
