#include "runtime/native_module.h"

#include "convert/from_python.h"
#include "objects/context.h"
#include "runtime/bridge_module.h"
#include "runtime/gil.h"
#include "runtime/py_ref.h"

namespace pyc {
namespace {

// A copy of `s` with lone surrogates replaced by U+FFFD, so it can be UTF-8.
PyRef ReplaceSurrogates(PyObject* s) {
  Py_ssize_t n = PyUnicode_GET_LENGTH(s);
  int kind = PyUnicode_KIND(s);
  const void* data = PyUnicode_DATA(s);
  PyRef out = PyRef::steal(PyUnicode_New(n, 0x10FFFF));
  if (!out) return out;
  for (Py_ssize_t i = 0; i < n; i++) {
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
    PyUnicode_WRITE(PyUnicode_KIND(out.get()), PyUnicode_DATA(out.get()), i, c);
  }
  return out;
}

// Text as UTF-8 (lone surrogates replaced by U+FFFD so it can be UTF-8). `keep` owns the
// buffer when a copy had to be made. Null with an error set on failure.
const char* Utf8Of(PyObject* text, Py_ssize_t& len, PyRef& keep) {
  const char* utf8 = PyUnicode_AsUTF8AndSize(text, &len);
  if (utf8) return utf8;
  PyErr_Clear();
  keep = ReplaceSurrogates(text);
  if (!keep) return nullptr;
  return PyUnicode_AsUTF8AndSize(keep.get(), &len);
}

// Pushes `utf8` as output of `call` in slices. One huge write must not become one JS string:
// V8 caps strings near 512 Mi characters, and print("x" * 600_000_000) crashed the host. The
// slices are cut at UTF-8 character boundaries, waiting for room between them. The buffer
// belongs to a str the caller holds, so it stays valid while the GIL is released.
// Slices of 32 KiB become young-generation JS strings (see kCoalesceLimit in events.cpp).
constexpr Py_ssize_t kOutputSlice = 32 * 1024;

void PushSliced(EventSink& sink, uint32_t call, EventKind kind, const char* utf8, Py_ssize_t len) {
  constexpr Py_ssize_t kSlice = kOutputSlice;
  for (Py_ssize_t off = 0; off < len;) {
    Py_ssize_t end = off + kSlice < len ? off + kSlice : len;
    while (end < len && end > off && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) end--;
    if (sink.OutputBacklogged()) {
      GilRelease nogil;
      sink.WaitForRoom();
    }
    sink.PushOutput(call, kind, utf8 + off, static_cast<size_t>(end - off));
    off = end;
  }
}

// write(stream: int, text: str) -> int: output of the call running on this context thread.
// -1 when this thread runs no call (a thread the user started, or a context between
// calls): runtime.py then routes the text through the thread's owner (py_contexts.threads).
PyObject* Write(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 2 || !PyLong_Check(args[0]) || !PyUnicode_Check(args[1])) {
    PyErr_SetString(PyExc_TypeError, "write(stream, text)");
    return nullptr;
  }
  Py_ssize_t chars = PyUnicode_GET_LENGTH(args[1]);
  ContextCore* ctx = ContextCore::Current();
  uint32_t call = ContextCore::CurrentCall();
  if (!ctx || !call) return PyLong_FromLong(-1);
  if (chars == 0) return PyLong_FromSsize_t(0);
  long stream = PyLong_AsLong(args[0]);
  Py_ssize_t len;
  PyRef keep;
  const char* utf8 = Utf8Of(args[1], len, keep);
  if (!utf8) return nullptr;
  PushSliced(ctx->sink(), call, stream == 2 ? EventKind::Stderr : EventKind::Stdout, utf8, len);
  return PyLong_FromSsize_t(chars);
}

constexpr const char* kSinkCapsule = "py_contexts.sink";

void SinkCapsuleDestructor(PyObject* capsule) {
  delete static_cast<std::weak_ptr<EventSink>*>(PyCapsule_GetPointer(capsule, kSinkCapsule));
}

// current_run() -> (sink, call) | None: what a thread started by the running call needs to
// write to it later from another thread (see py_contexts.threads.Run).
PyObject* CurrentRun(PyObject*, PyObject*) {
  ContextCore* ctx = ContextCore::Current();
  uint32_t call = ContextCore::CurrentCall();
  if (!ctx || !call) Py_RETURN_NONE;
  auto* weak = new std::weak_ptr<EventSink>(ctx->sinkPtr());
  PyRef capsule = PyRef::steal(PyCapsule_New(weak, kSinkCapsule, SinkCapsuleDestructor));
  if (!capsule) {
    delete weak;
    return nullptr;
  }
  return Py_BuildValue("(OI)", capsule.get(), static_cast<unsigned int>(call));
}

// write_to(sink, call, stream, text, process) -> int: output from any thread. With a call,
// it is that call's output; with call 0 it is background output of `process` (a str).
PyObject* WriteTo(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 5 || !PyCapsule_IsValid(args[0], kSinkCapsule) || !PyLong_Check(args[1]) || !PyLong_Check(args[2]) ||
      !PyUnicode_Check(args[3])) {
    PyErr_SetString(PyExc_TypeError, "write_to(sink, call, stream, text, process)");
    return nullptr;
  }
  Py_ssize_t chars = PyUnicode_GET_LENGTH(args[3]);
  auto* weak = static_cast<std::weak_ptr<EventSink>*>(PyCapsule_GetPointer(args[0], kSinkCapsule));
  std::shared_ptr<EventSink> sink = weak ? weak->lock() : nullptr;
  if (!sink || chars == 0) return PyLong_FromSsize_t(chars);
  uint32_t call = static_cast<uint32_t>(PyLong_AsUnsignedLong(args[1]));
  if (PyErr_Occurred()) return nullptr;
  long stream = PyLong_AsLong(args[2]);
  Py_ssize_t len;
  PyRef keep;
  const char* utf8 = Utf8Of(args[3], len, keep);
  if (!utf8) return nullptr;
  if (call) {
    PushSliced(*sink, call, stream == 2 ? EventKind::Stderr : EventKind::Stdout, utf8, len);
    return PyLong_FromSsize_t(chars);
  }
  if (!PyUnicode_Check(args[4])) return PyLong_FromSsize_t(chars);  // no process: nobody to show it
  Py_ssize_t plen;
  const char* process = PyUnicode_AsUTF8AndSize(args[4], &plen);
  if (!process) return nullptr;
  std::string key(process, static_cast<size_t>(plen));
  EventKind kind = stream == 2 ? EventKind::BackgroundStderr : EventKind::BackgroundStdout;
  constexpr Py_ssize_t kSlice = kOutputSlice;
  for (Py_ssize_t off = 0; off < len;) {
    Py_ssize_t end = off + kSlice < len ? off + kSlice : len;
    while (end < len && end > off && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) end--;
    if (sink->OutputBacklogged()) {
      GilRelease nogil;
      sink->WaitForRoom();
    }
    sink->PushBackground(key, kind, utf8 + off, static_cast<size_t>(end - off));
    off = end;
  }
  return PyLong_FromSsize_t(chars);
}

// async_raise(thread_id, exc_type) -> int: PyThreadState_SetAsyncExc, for the signal
// emulation (py_contexts.signals), which raises a handler's exception in a context thread.
PyObject* AsyncRaise(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 2 || !PyLong_Check(args[0])) {
    PyErr_SetString(PyExc_TypeError, "async_raise(thread_id, exc_type)");
    return nullptr;
  }
  unsigned long id = PyLong_AsUnsignedLong(args[0]);
  if (PyErr_Occurred()) return nullptr;
  PyObject* exc = args[1] == Py_None ? nullptr : args[1];
  if (exc && !PyExceptionClass_Check(exc)) {
    PyErr_SetString(PyExc_TypeError, "async_raise: exc_type must be an exception class or None");
    return nullptr;
  }
  return PyLong_FromLong(PyThreadState_SetAsyncExc(id, exc));
}

// emit_display(bundle: dict) -> None
PyObject* EmitDisplay(PyObject*, PyObject* bundle) {
  ContextCore* ctx = ContextCore::Current();
  uint32_t call = ContextCore::CurrentCall();
  if (!ctx || !call) Py_RETURN_NONE;
  Event e;
  e.call = call;
  e.kind = EventKind::Display;
  std::string error;
  if (!convert::FromPython(bundle, e.value, error)) {
    PyErr_SetString(PyExc_TypeError, ("display data could not be converted: " + error).c_str());
    return nullptr;
  }
  ctx->sink().Push(std::move(e));
  Py_RETURN_NONE;
}

// request_input(prompt: str, password: bool) -> str
PyObject* RequestInput(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  ContextCore* ctx = ContextCore::Current();
  uint32_t call = ContextCore::CurrentCall();
  if (!ctx || !call) {
    PyErr_SetString(PyExc_EOFError, "input() is only available while a call runs in a context");
    return nullptr;
  }
  Event e;
  e.call = call;
  e.kind = EventKind::Input;
  e.value = convert::Value::dict();
  e.value.put("prompt", nargs > 0 && PyUnicode_Check(args[0]) ? convert::StrValue(args[0]) : convert::Value::utf8(""));
  e.value.put("password", convert::Value::boolean(nargs > 1 && PyObject_IsTrue(args[1]) == 1));
  ctx->waits().Expect(call);
  ctx->sink().Push(std::move(e));
  bool eof = false;
  std::optional<convert::Value> reply;
  {
    GilRelease nogil;
    reply = ctx->waits().WaitForReply(call, eof);
  }
  if (eof) {
    PyErr_SetString(PyExc_EOFError, "input() has no input source for this call (no onInput handler)");
    return nullptr;
  }
  if (!reply) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    return nullptr;
  }
  return PyUnicode_DecodeUTF8(reply->text.data(), static_cast<Py_ssize_t>(reply->text.size()), "replace");
}

// sleep(seconds) -> bool: True if it slept on a context thread (False: caller
// should fall back to the real time.sleep). Raises KeyboardInterrupt when interrupted.
PyObject* Sleep(PyObject*, PyObject* arg) {
  double secs = PyFloat_AsDouble(arg);
  if (secs == -1.0 && PyErr_Occurred()) return nullptr;
  if (secs < 0) {
    PyErr_SetString(PyExc_ValueError, "sleep length must be non-negative");
    return nullptr;
  }
  ContextCore* ctx = ContextCore::Current();
  if (!ctx || !ContextCore::CurrentCall()) Py_RETURN_FALSE;
  bool completed;
  {
    GilRelease nogil;
    completed = ctx->waits().Sleep(secs);
  }
  if (!completed) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    return nullptr;
  }
  Py_RETURN_TRUE;
}

PyObject* ContextId(PyObject*, PyObject*) {
  ContextCore* ctx = ContextCore::Current();
  if (!ctx) Py_RETURN_NONE;
  return PyUnicode_FromStringAndSize(ctx->id().data(), static_cast<Py_ssize_t>(ctx->id().size()));
}

// own_gil() -> bool: whether this thread runs in an own-GIL context's sub-interpreter.
PyObject* OwnGil(PyObject*, PyObject*) {
  ContextCore* ctx = ContextCore::Current();
  return PyBool_FromLong(ctx && ctx->mode() == ContextMode::OwnGil &&
                         PyInterpreterState_Get() != PyInterpreterState_Main());
}

// private_cwd() -> bool: whether this context thread has a working directory of its own,
// so os.chdir() here moves only the running process (runtime/workdirs.h).
PyObject* PrivateCwd(PyObject*, PyObject*) {
  ContextCore* ctx = ContextCore::Current();
  return PyBool_FromLong(ctx && ctx->privateFs());
}

struct JsBufferObject {
  PyObject_HEAD
  std::shared_ptr<convert::SharedMemory>* mem;
  char format[4];
  Py_ssize_t itemsize;
  Py_ssize_t shape;
  Py_ssize_t stride;
};

int JsBufferGet(PyObject* obj, Py_buffer* view, int flags) {
  auto* self = reinterpret_cast<JsBufferObject*>(obj);
  auto& mem = **self->mem;
  view->obj = Py_NewRef(obj);
  view->buf = mem.data;
  view->len = static_cast<Py_ssize_t>(mem.length);
  view->readonly = 0;
  view->itemsize = self->itemsize;
  view->format = (flags & PyBUF_FORMAT) ? self->format : nullptr;
  view->ndim = 1;
  view->shape = (flags & PyBUF_ND) ? &self->shape : nullptr;
  view->strides = (flags & PyBUF_STRIDES) ? &self->stride : nullptr;
  view->suboffsets = nullptr;
  view->internal = nullptr;
  return 0;
}

void JsBufferDealloc(PyObject* obj) {
  auto* self = reinterpret_cast<JsBufferObject*>(obj);
  PyTypeObject* type = Py_TYPE(obj);
  delete self->mem;  // may post the release of the JS reference
  type->tp_free(obj);
  Py_DECREF(type);  // instances of a heap type own a reference to it
}

// A heap type per interpreter (module state), never a static type: objects of one
// interpreter must not be shared with another that has its own GIL.
PyType_Slot kJsBufferSlots[] = {
    {Py_bf_getbuffer, reinterpret_cast<void*>(JsBufferGet)},
    {Py_tp_dealloc, reinterpret_cast<void*>(JsBufferDealloc)},
    {Py_tp_doc, const_cast<char*>("Memory of a JS typed array, shared with Python without copying")},
    {0, nullptr},
};

PyType_Spec kJsBufferSpec = {"_py_contexts_native.JsBuffer", sizeof(JsBufferObject), 0, Py_TPFLAGS_DEFAULT,
                             kJsBufferSlots};

struct ModuleState {
  PyObject* jsBufferType;
};

ModuleState* StateOf(PyObject* module) { return static_cast<ModuleState*>(PyModule_GetState(module)); }

PyMethodDef kMethods[] = {
    {"write", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(Write)), METH_FASTCALL,
     "write(stream, text): stream output of the running call (1 stdout, 2 stderr)"},
    {"emit_display", EmitDisplay, METH_O, "emit_display(bundle): send a MIME bundle to the caller"},
    {"request_input", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(RequestInput)), METH_FASTCALL,
     "request_input(prompt, password): ask the caller for a line"},
    {"sleep", Sleep, METH_O, "interruptible sleep on context threads"},
    {"context_id", ContextId, METH_NOARGS, "id of the context running this thread, or None"},
    {"own_gil", OwnGil, METH_NOARGS, "whether this thread runs in an own-GIL context's sub-interpreter"},
    {"private_cwd", PrivateCwd, METH_NOARGS, "whether os.chdir() here moves only the running process"},
    {"current_run", CurrentRun, METH_NOARGS, "(sink, call) of the call running on this context thread, or None"},
    {"write_to", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(WriteTo)), METH_FASTCALL,
     "write_to(sink, call, stream, text, process): output from another thread"},
    {"async_raise", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(AsyncRaise)), METH_FASTCALL,
     "async_raise(thread_id, exc_type): raise exc_type in that thread at its next bytecode"},
    {nullptr, nullptr, 0, nullptr},
};

int ExecModule(PyObject* m) {
  if (PyModule_AddFunctions(m, kBridgeMethods) < 0) return -1;
  PyObject* type = PyType_FromModuleAndSpec(m, &kJsBufferSpec, nullptr);
  if (!type) return -1;
  StateOf(m)->jsBufferType = type;
  return 0;
}

int TraverseModule(PyObject* m, visitproc visit, void* arg) {
  ModuleState* st = StateOf(m);
  if (st) Py_VISIT(st->jsBufferType);
  return 0;
}

int ClearModule(PyObject* m) {
  ModuleState* st = StateOf(m);
  if (st) Py_CLEAR(st->jsBufferType);
  return 0;
}

void FreeModule(void* m) { ClearModule(static_cast<PyObject*>(m)); }

// Multi-phase initialization, so every interpreter (each own-GIL context has one) gets
// a module object of its own. Every function works on the calling thread's own context;
// the event sink it writes to is guarded by its own mutex, and the state_* and host_call
// functions (bridge_module.h) use process-global tables behind their own mutexes: nothing
// here relies on a GIL, so a per-interpreter GIL (and none, on free-threaded builds) is safe.
PyModuleDef_Slot kSlots[] = {
    {Py_mod_exec, reinterpret_cast<void*>(ExecModule)},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, nullptr},
};

PyModuleDef kModule = {
    PyModuleDef_HEAD_INIT, kNativeModuleName, "Py Contexts native bridge", sizeof(ModuleState), kMethods, kSlots,
    TraverseModule, ClearModule, FreeModule,
};

}  // namespace

PyObject* InitNativeModule() { return PyModuleDef_Init(&kModule); }

PyObject* NewJsBuffer(std::shared_ptr<convert::SharedMemory> mem, const std::string& format) {
  // The type of the calling thread's interpreter, from its own module object.
  PyRef module = PyRef::steal(PyImport_ImportModule(kNativeModuleName));
  if (!module) return nullptr;
  ModuleState* st = StateOf(module.get());
  if (!st || !st->jsBufferType) {
    PyErr_SetString(PyExc_SystemError, "_py_contexts_native is not initialized in this interpreter");
    return nullptr;
  }
  auto* self = PyObject_New(JsBufferObject, reinterpret_cast<PyTypeObject*>(st->jsBufferType));
  if (!self) return nullptr;
  char f = format.empty() ? 'B' : format[0];
  self->format[0] = f;
  self->format[1] = '\0';
  switch (f) {
    case 'b': case 'B': self->itemsize = 1; break;
    case 'h': case 'H': self->itemsize = 2; break;
    case 'i': case 'I': case 'f': self->itemsize = 4; break;
    default: self->itemsize = 8; break;
  }
  self->shape = static_cast<Py_ssize_t>(mem->length) / self->itemsize;
  self->stride = self->itemsize;
  self->mem = new std::shared_ptr<convert::SharedMemory>(std::move(mem));
  return reinterpret_cast<PyObject*>(self);
}

}  // namespace pyc
