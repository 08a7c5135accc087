"""Which run owns a thread, and what ``threading`` sees of context threads.

Every call runs on a context thread (native/src/objects/context.cpp) in one process's
environment. Code there may start threads of its own; in a script they would print to the
same terminal and see the same ``__main__``. Here the owner of a thread is the *run* (one
call of one process) that started it, inherited by the threads it starts in turn:

- ``current_env()`` is the environment ``__main__`` resolves through (mainmodule.py);
- ``write_elsewhere()`` sends a thread's output to its run while the run executes, and to
  the process (the document's output) after it ended;
- context threads are registered with ``threading`` as proper, non-daemon threads named
  after the context, so user threads default to ``daemon=False`` as in a script.

Nothing here may cost much per call: ``begin``/``end`` are on the hot path of every call.
"""

import _thread
import sys
import threading

import _py_contexts_native as _native

_tls = threading.local()

# Context thread ident -> its _ContextState, for the interrupter thread (signals.py).
_states = {}


class Run:
    """One call of a process in a context: the owner of the threads it starts."""

    __slots__ = ('env', 'process', 'call', 'sink', 'active')

    def __init__(self, env, process, call, sink):
        self.env = env
        self.process = process
        self.call = call
        self.sink = sink
        self.active = True


class _ContextState:
    """Per context thread: the environment of the call running now, and its Run once needed."""

    __slots__ = ('env', 'run', 'sink', 'thread')

    def __init__(self):
        self.env = None
        self.run = None
        self.sink = None
        self.thread = None


class ContextThread(threading.Thread):
    """``threading``'s record of a context thread (started in C, not by ``threading``).

    Without it the thread would be a ``_DummyThread``: daemon, named ``Dummy-N``, and every
    thread user code starts would default to ``daemon=True`` unlike in a script.
    """

    def __init__(self, context_id):
        super().__init__(name=f'py-contexts {context_id}', daemon=False)
        self._py_contexts_exited = threading.Event()
        self._started.set()
        self._set_ident()
        if hasattr(self, '_set_native_id'):
            self._set_native_id()
        if hasattr(_thread, '_make_thread_handle'):  # 3.13+: join() and is_alive() use a handle
            self._handle = _thread._make_thread_handle(self._ident)
        with threading._active_limbo_lock:
            threading._active[self._ident] = self

    def run(self):  # pragma: no cover - the thread runs C++ code, never this
        raise RuntimeError('a context thread is started by py-contexts, not by threading')

    def is_alive(self):
        return not self._py_contexts_exited.is_set()

    def join(self, timeout=None):
        if self is threading.current_thread():
            raise RuntimeError('cannot join current thread')
        # Another thread waits for this context to end, as it would for any thread.
        self._py_contexts_exited.wait(timeout)


def after_fork_in_child():
    """In a forked child the forking thread is the main thread (threading._after_fork made it
    so). On 3.11 and 3.12, threading._shutdown(), which multiprocessing runs as the child
    ends, needs the main thread's state lock, which only threads started by threading have."""
    t = threading.current_thread()
    if isinstance(t, ContextThread) and getattr(t, '_tstate_lock', False) is None and hasattr(t, '_set_tstate_lock'):
        t._set_tstate_lock()


def _init_context_thread():
    st = _ContextState()
    run = _native.current_run()
    st.sink = run[0] if run is not None else None
    ident = _thread.get_ident()
    st.thread = ContextThread(_native.context_id() or str(ident))
    _tls.state = st
    _states[ident] = st
    return st


def begin(env):
    """A call starts on this context thread (runtime.dispatch)."""
    try:
        st = _tls.state
    except AttributeError:
        st = _init_context_thread()
    st.env = env
    return st


def end(st):
    """The call ended: threads it started now write to the document's output."""
    st.env = None
    run = st.run
    if run is not None:
        run.active = False
        st.run = None


def context_thread_exit():
    """Called by the context thread just before it ends (context.cpp)."""
    st = getattr(_tls, 'state', None)
    ident = _thread.get_ident()
    _states.pop(ident, None)
    if st is None:
        return
    st.env = None
    t = st.thread
    if t is not None:
        t._py_contexts_exited.set()
        with threading._active_limbo_lock:
            if threading._active.get(ident) is t:
                del threading._active[ident]
    del _tls.state


def interpreter_exit():
    """Called by an own-GIL context thread before it ends its sub-interpreter (context.cpp):
    the runtime's own helper threads end now, so that thread is the interpreter's last."""
    editor = sys.modules.get('py_contexts.editor')
    watchdog = getattr(editor, '_watchdog', None)
    if watchdog is not None:
        watchdog.stop()
    signals = sys.modules.get('py_contexts.signals')
    if signals is not None:
        signals.cancel_all_timers()


def _process_of(env):
    key = env.get('__py_contexts_process__') if env is not None else None
    return key if isinstance(key, str) else None


def run_of(st, call):
    """The Run of `call`, running on the context thread of `st` (any thread, GIL held)."""
    run = st.run
    if run is None or run.call != call:
        run = st.run = Run(st.env, _process_of(st.env), call, st.sink)
    return run


def current_owner():
    """The Run this thread works for, or None (a context between calls, a foreign thread)."""
    st = getattr(_tls, 'state', None)
    if st is not None:
        if st.env is None:
            return None
        run = st.run
        if run is None:
            cur = _native.current_run()
            if cur is None:
                return None
            run = st.run = Run(st.env, _process_of(st.env), cur[1], cur[0])
        return run
    owner = getattr(_tls, 'owner', None)
    if owner is None:
        t = threading._active.get(_thread.get_ident())
        if t is not None:
            owner = getattr(t, '_py_contexts_owner', None)
    return owner


def current_env():
    """The environment ``__main__`` means on this thread, or None."""
    st = getattr(_tls, 'state', None)
    if st is not None:
        return st.env
    owner = current_owner()
    return owner.env if owner is not None else None


def process_key():
    """The process id this thread works for, or None."""
    return _process_of(current_env())


def write_elsewhere(fd, text):
    """Output of a thread that runs no call itself (see _Stream.write in runtime.py)."""
    owner = current_owner()
    if owner is None or owner.sink is None:
        return len(text)  # belongs to nobody: a context between calls, a foreign thread
    if owner.active:
        return _native.write_to(owner.sink, owner.call, fd, text, None)
    return _native.write_to(owner.sink, 0, fd, text, owner.process)


class owning:
    """``with owning(run):`` this (foreign) thread works for `run` for a while."""

    def __init__(self, run):
        self.run = run

    def __enter__(self):
        self.prev = getattr(_tls, 'owner', None)
        _tls.owner = self.run

    def __exit__(self, *exc):
        _tls.owner = self.prev


# ---------------------------------------------------------------------------
# Threads inherit their owner when they start.

_real_thread_start = threading.Thread.start
_real_start_new_thread = _thread.start_new_thread


def _thread_start(self):
    owner = current_owner()
    if owner is not None:
        self._py_contexts_owner = owner
    return _real_thread_start(self)


_thread_start.__doc__ = _real_thread_start.__doc__
_thread_start.__qualname__ = 'Thread.start'
_thread_start.__module__ = 'threading'


def _start_new_thread(function, args, kwargs=None):
    owner = current_owner()
    if kwargs is None:
        kwargs = {}
    if owner is None:
        return _real_start_new_thread(function, args, kwargs)

    def owned(*a, **kw):
        _tls.owner = owner
        return function(*a, **kw)

    return _real_start_new_thread(owned, args, kwargs)


_start_new_thread.__doc__ = _real_start_new_thread.__doc__
_start_new_thread.__module__ = '_thread'
_start_new_thread.__name__ = _start_new_thread.__qualname__ = 'start_new_thread'


def install():
    # threading keeps its own reference to the low-level function (bound at import), so
    # patching _thread reaches only code that starts raw threads; Thread.start covers the rest.
    threading.Thread.start = _thread_start
    _thread.start_new_thread = _start_new_thread
    _thread.start_new = _start_new_thread
