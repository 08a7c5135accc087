"""Signals for code running in contexts, emulated where a real handler cannot be installed.

Python only lets its main thread install signal handlers, and in the editor the process's
signals belong to Node: user code always runs on other threads. So, per process (document):

- ``signal.signal(sig, h)`` records ``h`` and returns the previous handler; ``getsignal``
  reads the record (defaults as in a fresh ``python``: ``default_int_handler`` for SIGINT,
  ``SIG_IGN`` for SIGPIPE and SIGXFSZ, ``SIG_DFL`` otherwise).
- Interrupting the context (the stop button, Interrupt, a timeout) calls the SIGINT handler
  instead of raising KeyboardInterrupt, as Python does on its main thread. The handler runs
  on the interrupter thread while the interrupted code waits for the GIL; an exception it
  raises is raised in the interrupted code.
- ``signal.raise_signal(sig)`` and ``os.kill(os.getpid(), sig)`` call the recorded handler
  (KeyboardInterrupt for SIGINT by default). A signal whose default action would end or stop
  the process is refused with ProcessExitBlocked: it would end the extension host.
- ``signal.alarm``/``setitimer(ITIMER_REAL)`` run on a timer and deliver SIGALRM the same way.
"""

import os
import signal
import sys
import threading
import time

import _py_contexts_native as _native
from py_contexts import threads

_real_signal = signal.signal
_real_getsignal = signal.getsignal
_real_raise_signal = signal.raise_signal
_real_kill = os.kill
_real_alarm = signal.alarm
_real_setitimer = signal.setitimer
_real_getitimer = signal.getitimer

# process id -> {signum: handler}
_handlers = {}

# Signals whose default action does nothing (the rest end or stop the process).
_DEFAULT_IGNORED = {s for s in (getattr(signal, n, None) for n in ('SIGCHLD', 'SIGURG', 'SIGWINCH', 'SIGCONT')) if s is not None}
# A fresh python ignores these at start-up.
_STARTUP_IGNORED = {s for s in (getattr(signal, n, None) for n in ('SIGPIPE', 'SIGXFSZ')) if s is not None}
_UNCATCHABLE = {signal.SIGKILL, signal.SIGSTOP}


def _default(signum):
    if signum == signal.SIGINT:
        return signal.default_int_handler
    if signum in _STARTUP_IGNORED:
        return signal.SIG_IGN
    return signal.SIG_DFL


def _signum(signalnum):
    signum = int(signalnum)
    if not 1 <= signum < signal.NSIG:
        raise ValueError('signal number out of range')
    return signum


def _on_context():
    return threads.process_key() is not None


def _signal(signalnum, handler):
    if not _on_context():
        return _real_signal(signalnum, handler)
    signum = _signum(signalnum)
    if not (callable(handler) or handler in (signal.SIG_DFL, signal.SIG_IGN)):
        raise TypeError('signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object')
    if signum in _UNCATCHABLE:
        raise OSError(22, 'Invalid argument')
    table = _handlers.setdefault(threads.process_key(), {})
    old = table.get(signum, _default(signum))
    table[signum] = handler
    return old


def _getsignal(signalnum):
    key = threads.process_key()
    if key is None:
        return _real_getsignal(signalnum)
    signum = _signum(signalnum)
    return _handlers.get(key, {}).get(signum, _default(signum))


def handler_for(key, signum):
    return _handlers.get(key, {}).get(signum, _default(signum))


def _blocked(signum):
    from py_contexts.runtime import ProcessExitBlocked

    name = signal.Signals(signum).name
    return ProcessExitBlocked(
        f'{name} was not delivered: its default action would end the VS Code extension host '
        f'(install a handler with signal.signal({name}, handler) to receive it)'
    )


def _deliver_here(signum, frame):
    """A signal sent to the process from its own code: run what its handler says, now."""
    h = handler_for(threads.process_key(), signum)
    if h is signal.SIG_IGN:
        return
    if h is signal.SIG_DFL:
        if signum in _DEFAULT_IGNORED:
            return
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise _blocked(signum)
    h(signum, frame)


def _raise_signal(signalnum):
    if not _on_context():
        return _real_raise_signal(signalnum)
    _deliver_here(_signum(signalnum), sys._getframe(1))


def _kill(pid, signalnum):
    if pid == os.getpid() and signalnum != 0 and _on_context():
        _deliver_here(_signum(signalnum), sys._getframe(1))
        return
    _real_kill(pid, signalnum)


def _reraise_in(ident, exc):
    """Raises `exc` (an instance) in the thread `ident` at its next bytecode.

    PyThreadState_SetAsyncExc takes a class, which Python instantiates when the exception
    is caught; a one-off subclass whose __new__ returns `exc` makes that instance the one
    raised (Python believes the instance's own class), so ``except ValueError`` matches.
    """
    cls = type(exc)
    try:
        oneoff = type(cls.__name__, (cls,), {'__new__': lambda c, *a, **k: exc, '__module__': cls.__module__})
    except TypeError:  # a class that cannot be subclassed: raise a plain copy of its kind
        oneoff = RuntimeError
    _native.async_raise(ident, oneoff)


def _run_handler(st, ident, call, signum, handler):
    run = threads.run_of(st, call)
    frame = sys._current_frames().get(ident)
    with threads.owning(run):  # its output is the interrupted call's output
        try:
            handler(signum, frame)
        except BaseException as exc:
            _reraise_in(ident, exc)
        finally:
            del frame


def interrupt_hook(target):
    """The context is interrupting its call (context.cpp DeliverInterrupt, GIL held).

    True when the process's SIGINT handler took it; False: raise KeyboardInterrupt.
    """
    ident, call = target
    st = threads._states.get(ident)
    if st is None or st.env is None:
        return False
    h = handler_for(threads._process_of(st.env), signal.SIGINT)
    if h is signal.default_int_handler or h is signal.SIG_DFL:
        return False
    if h is signal.SIG_IGN:
        return True
    _run_handler(st, ident, call, signal.SIGINT, h)
    return True


def current_sigint_handler():
    """The SIGINT handler of the running process when it is not the default, else None."""
    key = threads.process_key()
    if key is None:
        return None
    h = handler_for(key, signal.SIGINT)
    if h is signal.default_int_handler or h is signal.SIG_DFL:
        return None
    return h


# ---------------------------------------------------------------------------
# SIGALRM: a real alarm would be delivered to Node, whose default action ends the host.

_alarms = {}  # process id -> (timer, deadline, interval)


def _fire_alarm(key, run):
    entry = _alarms.get(key)
    if entry is None or entry[0] is not threading.current_thread():
        return
    interval = entry[2]
    if interval:
        _arm(key, run, interval, interval)
    else:
        _alarms.pop(key, None)
    h = handler_for(key, signal.SIGALRM)
    if h is signal.SIG_IGN:
        return
    # Delivered to the process's code if it runs now, like an interrupt.
    for ident, st in list(threads._states.items()):
        if st.env is not None and threads._process_of(st.env) == key:
            run_now = st.run
            call = run_now.call if run_now is not None else (run.call if run is not None else 0)
            if h is signal.SIG_DFL:
                _native.async_raise(ident, _AlarmClock)
            else:
                _run_handler(st, ident, call, signal.SIGALRM, h)
            return


class _AlarmClock(SystemExit):
    def __init__(self, *args):
        super().__init__('Alarm clock (SIGALRM with its default action would have ended the process)')


def _arm(key, run, seconds, interval):
    t = threading.Timer(seconds, lambda: _fire_alarm(key, run))
    t.daemon = True
    t.name = 'py-contexts-alarm'
    _alarms[key] = (t, time.monotonic() + seconds, interval)
    t.start()


def _cancel(key):
    entry = _alarms.pop(key, None)
    if entry is None:
        return 0.0, 0.0
    entry[0].cancel()
    return max(0.0, entry[1] - time.monotonic()), entry[2]


def _setitimer(which, seconds, interval=0.0):
    if which != signal.ITIMER_REAL or not _on_context():
        return _real_setitimer(which, seconds, interval)
    key = threads.process_key()
    old = _cancel(key)
    if seconds > 0:
        _arm(key, threads.current_owner(), float(seconds), float(interval))
    return old


def _getitimer(which):
    if which != signal.ITIMER_REAL or not _on_context():
        return _real_getitimer(which)
    entry = _alarms.get(threads.process_key())
    if entry is None:
        return (0.0, 0.0)
    return (max(0.0, entry[1] - time.monotonic()), entry[2])


def _alarm(seconds):
    if not _on_context():
        return _real_alarm(seconds)
    remaining, _ = _setitimer(signal.ITIMER_REAL, int(seconds))
    return int(remaining + 0.5) if remaining else 0


def forget(key):
    """The process's environment was reset or closed: a fresh Python has default handlers."""
    _handlers.pop(key, None)
    _cancel(key)


def install():
    signal.signal = _signal
    signal.getsignal = _getsignal
    signal.raise_signal = _raise_signal
    signal.alarm = _alarm
    signal.setitimer = _setitimer
    signal.getitimer = _getitimer
    os.kill = _kill
    for f, real in ((_signal, _real_signal), (_getsignal, _real_getsignal), (_raise_signal, _real_raise_signal),
                    (_alarm, _real_alarm), (_setitimer, _real_setitimer), (_getitimer, _real_getitimer), (_kill, _real_kill)):
        f.__doc__ = real.__doc__
        f.__name__ = real.__name__
        f.__qualname__ = real.__name__
