"""The embedded interpreter's side of every call.

The addon (native/src/objects/context.cpp) calls ``dispatch(op, env, args)`` on a context
thread with the GIL held; ``env`` is the calling process's namespace in that context.
Output, display and input go back to JS through the built-in ``_py_contexts_native``
module, which knows which call the current thread is running.

Everything here must be cheap on the hot path: ``call('math', 'sqrt', [16])`` and
``run('1+1')`` go through ``dispatch`` and should cost a few microseconds.
"""

import builtins
import importlib
import linecache
import os
import signal
import sys
import threading  # noqa: F401 (imported on the runtime thread so it is Python's main thread)
import time
import traceback

import _py_contexts_native as _native
from py_contexts import autoawait as _autoawait
from py_contexts.cells import compile_block as _compile_block
from py_contexts.cells import compile_eval as _compile_eval
from py_contexts import mainmodule as _mainmodule
from py_contexts import script as _script
from py_contexts import signals as _signals
from py_contexts import threads as _threads
from py_contexts import tracebacks as _tracebacks

# ---------------------------------------------------------------------------
# Process-wide set-up (runs once, when the interpreter starts)


class _Stream:
    """sys.stdout / sys.stderr for every context.

    Contexts share one interpreter and therefore one ``sys``; the native side routes
    each write to the call running on the writing thread (a thread-local there).
    """

    def __init__(self, fd, name):
        self._fd = fd
        self.name = name
        self.encoding = 'utf-8'
        self.errors = 'replace'

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f'write() argument must be str, not {type(text).__name__}')
        n = _native.write(self._fd, text)
        if n >= 0:
            return n
        # Not a call's own thread: a thread that user code started (py_contexts.threads).
        return _threads.write_elsewhere(self._fd, text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def fileno(self):
        raise OSError('py-contexts output streams have no file descriptor')

    @property
    def closed(self):
        return False


def _standing_in_for(module, name, real):
    """Makes a replacement of ``module.name`` pickle (and print, and document itself) as the
    original: ``pickle.dumps(time.sleep)`` must name ``time.sleep``, which a child process
    (spawn, forkserver) can import, not this module, which it cannot."""

    def mark(fn):
        fn.__module__ = module
        fn.__name__ = name
        fn.__qualname__ = name
        fn.__doc__ = getattr(real, '__doc__', None)
        return fn

    return mark


_STDOUT = sys.stdout = _Stream(1, '<stdout>')
_STDERR = sys.stderr = _Stream(2, '<stderr>')


def _input(prompt=''):
    prompt = str(prompt)
    return _native.request_input(prompt, False)


_real_input = builtins.input
builtins.input = _standing_in_for('builtins', 'input', _real_input)(_input)

try:
    import getpass as _getpass

    def _getpass_impl(prompt='Password: ', stream=None):
        return _native.request_input(str(prompt), True)

    _real_getpass = _getpass.getpass
    _getpass.getpass = _standing_in_for('getpass', 'getpass', _real_getpass)(_getpass_impl)
except Exception:  # pragma: no cover - getpass is stdlib
    pass

_real_sleep = time.sleep


def _sleep(seconds):
    """time.sleep that an interrupt can cut short on context threads."""
    try:
        if not _native.sleep(seconds):
            _real_sleep(seconds)
    except KeyboardInterrupt:
        handler = _signals.current_sigint_handler()
        if handler is None:
            raise
        # The process installed a SIGINT handler: run it here, then sleep on for the rest
        # of the time, as a script's sleep does after a handler returns (PEP 475).
        deadline = time.monotonic() + seconds  # an upper bound: the sleep already began
        _signals.note_delivered(_threads.process_key())
        if handler is not signal.SIG_IGN:
            handler(signal.SIGINT, sys._getframe(1))
        _sleep(max(0.0, min(seconds, deadline - time.monotonic())))


time.sleep = _standing_in_for('time', 'sleep', _real_sleep)(_sleep)


class ProcessExitBlocked(SystemExit):
    """os._exit() and os.abort() would end the whole editor; they raise this instead."""


def _blocked_exit(status=0):
    raise ProcessExitBlocked(f'os._exit({status}) was blocked: it would terminate the VS Code extension host')


def _blocked_abort():
    raise ProcessExitBlocked('os.abort() was blocked: it would terminate the VS Code extension host')


_real_exit = os._exit
_real_abort = os.abort
os._exit = _standing_in_for('os', '_exit', _real_exit)(_blocked_exit)
os.abort = _standing_in_for('os', 'abort', _real_abort)(_blocked_abort)
# The same C functions are reachable as posix._exit and posix.abort.
try:
    import posix as _posix

    _posix._exit = _blocked_exit
    _posix.abort = _blocked_abort
except ImportError:  # pragma: no cover - posix exists on every platform we build for
    pass


def _blocked_interrupt_main(*args, **kwargs):
    # Python's signal handlers are not installed in the embedded interpreter (Node owns
    # the signals); called from a context thread, the real function segfaulted the
    # host (measured on 3.11).
    raise RuntimeError('_thread.interrupt_main() is not available in py-contexts; interrupt the context instead')


import _thread  # noqa: E402

_thread.interrupt_main = _blocked_interrupt_main

# Fidelity with a script: __main__ that pickles, threads that own their output and are
# proper threads, emulated signals, sys.argv per run (see each module's docstring).
_threads.install()
_mainmodule.install()
_signals.install()
_script.install()
_autoawait.install()
if _native.own_gil():
    from py_contexts import owngil as _owngil
    _owngil.install()

# Context threads have a 256 MiB C stack (native/src/objects/context.cpp). On 3.11 the
# recursion limit also bounds C recursion, and the most stack-hungry pattern measured
# (a function recursing through sorted(key=...)) overflows that stack somewhere between
# 160,000 and 200,000 levels. Above the cap below, a RecursionError could become a
# segfault that ends the editor, so higher limits are capped with a warning.
MAX_RECURSION_LIMIT = 100_000
_real_setrecursionlimit = sys.setrecursionlimit


def _setrecursionlimit(limit):
    if isinstance(limit, int) and limit > MAX_RECURSION_LIMIT:
        import warnings

        warnings.warn(
            f'sys.setrecursionlimit({limit}) was capped at {MAX_RECURSION_LIMIT}: deeper recursion '
            'could overflow the context thread\'s C stack and crash the host',
            RuntimeWarning,
            stacklevel=2,
        )
        limit = MAX_RECURSION_LIMIT
    _real_setrecursionlimit(limit)


sys.setrecursionlimit = _standing_in_for('sys', 'setrecursionlimit', _real_setrecursionlimit)(_setrecursionlimit)

# A forked child (os.fork(), multiprocessing's default 'fork' start method) is another
# process: blocking its os._exit() would keep it alive as a stray copy of the editor
# (a fork-then-os._exit child never ended, and its parent hung in waitpid). Only the
# forking thread survives a fork, so the child also has no JS side to stream output to
# or ask for input, and the context's locks may be held by threads that are gone: give
# it plain Python, and end it if it returns into the engine.
_forked_child = False


def _after_fork_in_child():
    global _forked_child
    _forked_child = True
    _threads.after_fork_in_child()
    os._exit = _real_exit
    os.abort = _real_abort
    try:
        _posix._exit = _real_exit
        _posix.abort = _real_abort
    except NameError:  # pragma: no cover
        pass
    time.sleep = _real_sleep
    builtins.input = _real_input
    try:
        _getpass.getpass = _real_getpass
    except NameError:  # pragma: no cover
        pass
    if sys.__stdout__ is not None:
        sys.stdout = sys.__stdout__
    if sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__


def _leave_forked_child(status):
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        _real_exit(status)


os.register_at_fork(after_in_child=_after_fork_in_child)

# matplotlib's Agg backend is forced by py_contexts.display through an import hook,
# not through MPLBACKEND: the environment is inherited by every child process of the
# editor (debuggers, terminals), whose plots must still open windows.

_display_module = None


def _display():
    global _display_module
    if _display_module is None:
        try:
            from py_contexts import display as mod
        except Exception:  # the rich layer is optional for plain calls
            mod = False
        _display_module = mod
    return _display_module or None


def _display_builtin(*objs, **kwargs):
    mod = _display()
    if mod is None:
        for o in objs:
            print(repr(o))
        return None
    return mod.display(*objs, **kwargs)


# ---------------------------------------------------------------------------
# Environments


def new_env(key):
    """A fresh ``__main__``-like namespace for one process in one context."""
    return {
        '__name__': '__main__',
        '__builtins__': builtins,
        '__doc__': None,
        '__package__': None,
        '__spec__': None,
        '__loader__': None,
        '__py_contexts_process__': key,
        'display': _display_builtin,
    }


def close_env(env):
    key = env.get('__py_contexts_process__')
    if key is not None:
        _autoawait.close((_native.context_id(), key))
        _signals.forget(key)
    # Clearing breaks reference cycles through functions' __globals__ so the
    # namespace and everything in it is freed now, not at the next GC pass.
    env.clear()


# ---------------------------------------------------------------------------
# Source for tracebacks (compilation: py_contexts.cells)

def _register_source(filename, source_text):
    if filename and source_text is not None:
        lines = source_text.splitlines(True)
        # mtime None marks the entry as not backed by a file, so checkcache() keeps it.
        linecache.cache[filename] = (len(source_text), None, lines, filename)


# ---------------------------------------------------------------------------
# Ops (numbers mirror OP in src/engine/ops.ts)


def _run_block(body, expr, env):
    """Runs a compiled block; the trailing expression's value, or None. A block that awaits
    runs as one coroutine on the process's event loop, as an IPython cell does."""
    if (body is not None and body.co_flags & _CO_COROUTINE) or (expr is not None and expr.co_flags & _CO_COROUTINE):
        key = (_native.context_id(), env.get('__py_contexts_process__'))
        return _autoawait.run(_autoawait.block(body, expr, env), key)
    if body is not None:
        exec(body, env)
    return eval(expr, env) if expr is not None else None


_CO_COROUTINE = _autoawait._CO_COROUTINE


def _op_exec(env, args):
    code, filename, first_line, source_text = args
    _register_source(filename, source_text)
    body, expr = _compile_block(code, filename, first_line)
    _run_block(body, expr, env)
    return None


def _op_eval(env, args):
    code, locals_, filename = args
    return eval(_compile_eval(code, filename), env, locals_ if locals_ is not None else env)


NO_VALUE = object()  # the addon turns this into JS undefined ("no trailing expression")


def _op_run(env, args):
    code, filename, first_line, source_text, rich = args[:5]
    script = args[5] if len(args) > 5 else None
    left_open = len(args) > 6 and args[6]
    # rich == 'repr': the trailing value stays here and only its bounded repr text goes back
    # (run selection shows it; py_contexts/result_repr.py).
    as_repr = rich == 'repr'
    if as_repr:
        rich = False
    _register_source(filename, source_text)
    mod = _display() if rich else None
    if left_open:
        # Observed editor runs need display's import hooks from the first run on: they force
        # Agg, and make plt.show() send its figure at once (py_contexts.display, plots).
        _display()
    if mod is not None:
        mod.before_cell()
    result = NO_VALUE
    script_token = _script.begin(env, script) if script else None
    try:
        body, expr = _compile_block(code, filename, first_line)
        value = _run_block(body, expr, env)
        if expr is not None:
            if value is not None:
                env['_'] = value
            if as_repr:
                from py_contexts.result_repr import result_repr

                result = result_repr(value)
            elif not rich:
                result = value
            elif value is not None:
                # The bundle is made before after_cell() so a trailing figure is
                # rendered as Out[] (and closed) rather than emitted twice.
                result = mod.mime_bundle(value) if mod is not None else {'data': {'text/plain': repr(value)}, 'metadata': {}}
                if not result['data']:
                    result = NO_VALUE  # the value displayed itself (_ipython_display_)
    finally:
        if script_token is not None:
            _script.end(script_token)
        if mod is not None:
            mod.after_cell()
        # An editor run's figures that were never shown go to its observers (the Plots
        # view, consoles) with the run itself, not in a second call after it; also when
        # the run raised. Without pyplot there is nothing to look at.
        if left_open and 'matplotlib.pyplot' in sys.modules:
            from py_contexts import plots

            plots.send_left_open()
    return result


def _resolve(env, module, name):
    if module == '__main__':
        obj = env[name.split('.')[0]]
        rest = name.split('.')[1:]
    else:
        # Not sys.modules.get(): on free-threaded 3.13 dict.get() holds the dict's lock and,
        # for a module first imported on another thread, the lookup takes that lock again
        # and waits on itself for ~40 sched_yield() calls (about 60 µs a call here). A
        # subscript takes the lock once. See bench/profile/NOTES.md.
        try:
            obj = sys.modules[module]
        except KeyError:
            obj = None
        if obj is None:
            obj = importlib.import_module(module)
        rest = name.split('.')
    for part in rest:
        obj = getattr(obj, part)
    return obj


def _op_call(env, args):
    module, name, fargs, fkwargs = args
    fn = _resolve(env, module, name)
    if fkwargs:
        return fn(*(fargs or ()), **fkwargs)
    return fn(*(fargs or ()))


def _op_variables(env, args):
    path, max_items, repr_chars, repr_timeout_ms = args
    from py_contexts import editor

    return editor.variables(env, path or [], max_items, repr_chars, repr_timeout_ms)


def _op_save_state(env, args):
    path, max_bytes = args
    from py_contexts import persist

    return persist.snapshot(env, path, max_bytes)


def _op_restore_state(env, args):
    (path,) = args
    from py_contexts import persist

    return persist.restore(env, path)


def _op_data_view(env, args):
    from py_contexts import dataview

    return dataview.request(env, args[0], list(args[1:]))


def _op_live(env, args):
    what, request_args, evaluate, deadline_ms = args
    from py_contexts import live

    return live.request(env, what, request_args, evaluate, deadline_ms)


_OPS = (None, _op_exec, _op_eval, _op_run, _op_call, _op_variables, _op_save_state, _op_restore_state, _op_data_view, _op_live)


def _repair_streams():
    # sys.stdout is interpreter-wide. A redirect in a running call is legitimate and is
    # left alone, but a stream set to None (or closed) would silence every process for
    # good, so it is put back after the call that broke it.
    if sys.stdout is None or getattr(sys.stdout, 'closed', False) is True:
        sys.stdout = _STDOUT
    if sys.stderr is None or getattr(sys.stderr, 'closed', False) is True:
        sys.stderr = _STDERR


def dispatch(op, env, args):
    st = _threads.begin(env)
    try:
        result = _OPS[op](env, args)
    except BaseException:
        _threads.end(st)
        _repair_streams()
        if _forked_child:
            traceback.print_exc()
            _leave_forked_child(1)
        raise
    _threads.end(st)
    _repair_streams()
    if _forked_child:
        _leave_forked_child(0)
    return result


# ---------------------------------------------------------------------------
# Errors

def _error_message(exc):
    if isinstance(exc, SystemExit) and not isinstance(exc, ProcessExitBlocked):
        return f'SystemExit({exc.code!r})'
    return _tracebacks.safe_str(exc)


def describe_error(exc):
    """Plain data for a PythonError (py_contexts/tracebacks.py); called by the addon."""
    return _tracebacks.describe(exc, _error_message)
