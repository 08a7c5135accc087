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
- ``signal.pthread_kill`` to a thread of the process and ``_thread.interrupt_main`` deliver
  to the process the same way (the handler runs for the context thread running its call).
- ``signal.alarm``/``setitimer`` run on wall-clock timers (CPU time for ITIMER_VIRTUAL and
  ITIMER_PROF in a script) and deliver SIGALRM, SIGVTALRM or SIGPROF the same way.
- What stays real: ``set_wakeup_fd`` (main thread only, as in any thread of a script),
  ``pthread_sigmask``, ``sigwait``; signals sent from outside the editor go to Node.
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
_real_pthread_kill = signal.pthread_kill
_real_pause = signal.pause
_real_killpg = os.killpg
_real_pidfd_send_signal = getattr(signal, 'pidfd_send_signal', None)
_fallback_interrupt_main = None  # set by install(): runtime.py's refusal, for foreign threads

# process id -> {signum: handler}
_handlers = {}
# process id -> how many signals were delivered to it (signal.pause() waits for the next one)
_delivered = {}

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


def _is_default(h):
    return h is signal.SIG_DFL or h is signal.default_int_handler


def _default_exception(signum):
    """What the default action amounts to here: None (nothing), or the exception to raise."""
    if signum in _DEFAULT_IGNORED:
        return None
    if signum == signal.SIGINT:
        return KeyboardInterrupt()
    return _blocked(signum)


def _running_state(key):
    """(ident, state) of the context thread running a call of process `key`, or (None, None)."""
    for ident, st in list(threads._states.items()):
        if st.env is not None and threads._process_of(st.env) == key:
            return ident, st
    return None, None


def note_delivered(key):
    _delivered[key] = _delivered.get(key, 0) + 1


def _pause():
    key = threads.process_key()
    if key is None:
        return _real_pause()
    # A script's pause() returns once a signal handler ran; this one once a signal was
    # delivered to the process (an exception from the handler arrives as it would).
    seen = _delivered.get(key, 0)
    while _delivered.get(key, 0) == seen:
        time.sleep(0.02)  # interruptible (runtime._sleep)


def _deliver_here(signum, frame):
    """A signal for the process whose call this thread runs: what its handler says, now."""
    note_delivered(threads.process_key())
    h = handler_for(threads.process_key(), signum)
    if h is signal.SIG_IGN:
        return
    if h is signal.SIG_DFL:
        exc = _default_exception(signum)
        if exc is not None:
            raise exc
        return
    h(signum, frame)  # default_int_handler raises KeyboardInterrupt


def deliver(key, signum, run=None, frame=None):
    """A signal for process `key`, sent from any thread: Python runs a handler on the main
    thread, which for a process is the context thread running its call."""
    ident, st = _running_state(key)
    if ident is not None and ident != threading.get_ident():
        note_delivered(key)
    if ident == threading.get_ident():
        _deliver_here(signum, frame if frame is not None else sys._getframe(1))
        return
    h = handler_for(key, signum)
    if h is signal.SIG_IGN:
        return
    if ident is None:
        # Nothing of the process runs: a handler still sees the signal (on this thread);
        # a default action has nothing to stop.
        if not _is_default(h):
            with threads.owning(run):
                try:
                    h(signum, None)
                except BaseException:
                    import traceback

                    traceback.print_exc()
        return
    if h is signal.SIG_DFL or h is signal.default_int_handler:
        exc = KeyboardInterrupt() if h is signal.default_int_handler else _default_exception(signum)
        if exc is not None:
            _reraise_in(ident, exc)
        return
    call = st.run.call if st.run is not None else (run.call if run is not None else 0)
    _run_handler(st, ident, call, signum, h)


def _raise_signal(signalnum):
    key = threads.process_key()
    if key is None:
        return _real_raise_signal(signalnum)
    deliver(key, _signum(signalnum), threads.current_owner(), sys._getframe(1))


def _is_self(pid):
    # The editor's own process, or its process group (which holds the editor too: a signal
    # to the group is delivered to the calling process only).
    return pid == os.getpid() or pid == 0 or pid == -os.getpgrp()


def _kill(pid, signalnum):
    if signalnum != 0 and _is_self(pid) and _on_context():
        deliver(threads.process_key(), _signum(signalnum), threads.current_owner(), sys._getframe(1))
        return
    _real_kill(pid, signalnum)


def _killpg(pgid, signalnum):
    if signalnum != 0 and pgid in (0, os.getpgrp()) and _on_context():
        deliver(threads.process_key(), _signum(signalnum), threads.current_owner(), sys._getframe(1))
        return
    _real_killpg(pgid, signalnum)


def _is_own_pidfd(fd):
    try:
        with open(f'/proc/self/fdinfo/{int(fd)}') as f:
            for line in f:
                if line.startswith('Pid:'):
                    return int(line.split()[1]) == os.getpid()
        a = os.fstat(fd)
        b = os.stat(f'/proc/{os.getpid()}')
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
    except (OSError, ValueError):
        return False


def _pidfd_send_signal(pidfd, sig, siginfo=None, flags=0):
    if siginfo is None and flags == 0 and sig != 0 and _on_context() and _is_own_pidfd(pidfd):
        deliver(threads.process_key(), _signum(sig), threads.current_owner(), sys._getframe(1))
        return
    return _real_pidfd_send_signal(pidfd, sig, siginfo, flags)


def _pthread_kill(thread_id, signalnum):
    # Every thread here is a thread of the editor: a real signal without a handler would end
    # it. A signal for a thread of a process is delivered to that process, as Python would
    # hand it to its main thread; other threads get the real call.
    if signalnum == 0:
        return _real_pthread_kill(thread_id, signalnum)
    st = threads._states.get(thread_id)
    key = threads._process_of(st.env) if st is not None else None
    if key is None:
        t = threading._active.get(thread_id)
        owner = getattr(t, '_py_contexts_owner', None) if t is not None else None
        key = owner.process if owner is not None else None
    if key is None:
        key = threads.process_key()
    if key is None:
        return _real_pthread_kill(thread_id, signalnum)
    deliver(key, _signum(signalnum), threads.current_owner(), sys._getframe(1))


def _interrupt_main(signum=signal.SIGINT):
    key = threads.process_key()
    if key is None:
        return _fallback_interrupt_main(signum)
    signum = _signum(signum)
    # "If the given signal isn't handled by Python (SIG_DFL or SIG_IGN), this function does nothing."
    h = handler_for(key, signum)
    if h is signal.SIG_DFL or h is signal.SIG_IGN:
        return
    deliver(key, signum, threads.current_owner(), sys._getframe(1))


def _reraise_in(ident, exc):
    """Raises `exc` (an instance) in the thread `ident` at its next bytecode.

    PyThreadState_SetAsyncExc takes a class, which Python instantiates when the exception
    is caught; a one-off subclass whose __new__ returns `exc` makes that instance the one
    raised (`except ValueError` matches it, as its type is a subclass).
    """
    cls = type(exc)
    try:
        ns = {'__new__': lambda c, *a, **k: exc, '__module__': cls.__module__, '__qualname__': cls.__qualname__}
        oneoff = type(cls.__name__, (cls,), ns)
    except TypeError:  # a class that cannot be subclassed
        oneoff = cls
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
    key = threads._process_of(st.env)
    note_delivered(key)
    h = handler_for(key, signal.SIGINT)
    if _is_default(h):
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
    if _is_default(h):
        return None
    return h


# ---------------------------------------------------------------------------
# Interval timers: a real one would signal Node, whose default action ends the host. They
# run on wall-clock timers (ITIMER_VIRTUAL and ITIMER_PROF count CPU time in a script).

_TIMER_SIGNALS = {signal.ITIMER_REAL: signal.SIGALRM, signal.ITIMER_VIRTUAL: signal.SIGVTALRM, signal.ITIMER_PROF: signal.SIGPROF}
_timers = {}  # (process id, which) -> _Itimer
_timers_lock = threading.Lock()


class _Itimer(threading.Thread):
    """One armed interval timer: a thread that delivers its signal at each expiry.

    Expiries are delivered one at a time, as a kernel timer's are: a handler slower than the
    interval is never entered twice at once, and expiries missed meanwhile make one signal
    (a pending standard signal is not queued twice). So a handler that disables the timer is
    the last one called, however loaded the machine.
    """

    def __init__(self, key, which, run, seconds, interval):
        super().__init__(name='py-contexts-itimer', daemon=True)
        self.key, self.which, self.owner, self.interval = key, which, run, interval  # owner: the Run that armed it
        self.deadline = time.monotonic() + seconds
        self.cancelled = threading.Event()

    def run(self):
        while not self.cancelled.wait(max(0.0, self.deadline - time.monotonic())):
            with _timers_lock:  # a setitimer() that got in first wins: nothing is delivered
                if self.cancelled.is_set():
                    return
                if self.interval:
                    now = time.monotonic()
                    self.deadline += self.interval
                    if self.deadline <= now:  # overran: the next expiry is a whole interval on
                        self.deadline = now + self.interval
                elif _timers.get((self.key, self.which)) is self:
                    del _timers[(self.key, self.which)]
            deliver(self.key, _TIMER_SIGNALS[self.which], self.owner)
            if not self.interval:
                return

    def remaining(self):
        return max(0.0, self.deadline - time.monotonic())


def _arm(key, which, run, seconds, interval):
    t = _Itimer(key, which, run, seconds, interval)
    with _timers_lock:
        _timers[(key, which)] = t
    t.start()


def cancel_all_timers():
    """Stops every interval timer (an own-GIL context's interpreter is about to end)."""
    with _timers_lock:
        for timer in _timers.values():
            timer.cancelled.set()
        _timers.clear()


def _cancel(key, which):
    with _timers_lock:
        entry = _timers.pop((key, which), None)
        if entry is None:
            return 0.0, 0.0
        entry.cancelled.set()
    return entry.remaining(), entry.interval


def _setitimer(which, seconds, interval=0.0):
    if which not in _TIMER_SIGNALS or not _on_context():
        return _real_setitimer(which, seconds, interval)
    if seconds < 0 or interval < 0:
        raise signal.ItimerError(22, 'Invalid argument')
    key = threads.process_key()
    old = _cancel(key, which)
    if seconds > 0:
        _arm(key, which, threads.current_owner(), float(seconds), float(interval))
    return old


def _getitimer(which):
    if which not in _TIMER_SIGNALS or not _on_context():
        return _real_getitimer(which)
    entry = _timers.get((threads.process_key(), which))
    if entry is None:
        return (0.0, 0.0)
    return (entry.remaining(), entry.interval)


def _alarm(seconds):
    if not _on_context():
        return _real_alarm(seconds)
    remaining, _ = _setitimer(signal.ITIMER_REAL, int(seconds))
    return int(remaining + 0.5) if remaining else 0


def forget(key):
    """The process's environment was reset or closed: a fresh Python has default handlers."""
    _handlers.pop(key, None)
    _delivered.pop(key, None)
    for which in _TIMER_SIGNALS:
        _cancel(key, which)


def install():
    global _fallback_interrupt_main
    import _thread

    _fallback_interrupt_main = _thread.interrupt_main
    _thread.interrupt_main = _interrupt_main
    signal.pthread_kill = _pthread_kill
    signal.pause = _pause
    os.killpg = _killpg
    if _real_pidfd_send_signal is not None:
        signal.pidfd_send_signal = _pidfd_send_signal
    signal.signal = _signal
    signal.getsignal = _getsignal
    signal.raise_signal = _raise_signal
    signal.alarm = _alarm
    signal.setitimer = _setitimer
    signal.getitimer = _getitimer
    os.kill = _kill
    for f, real in ((_signal, _real_signal), (_getsignal, _real_getsignal), (_raise_signal, _real_raise_signal),
                    (_alarm, _real_alarm), (_setitimer, _real_setitimer), (_getitimer, _real_getitimer), (_kill, _real_kill),
                    (_pthread_kill, _real_pthread_kill), (_pause, _real_pause), (_killpg, _real_killpg),
                    (_pidfd_send_signal, _real_pidfd_send_signal)):
        if real is None:
            continue
        f.__doc__ = real.__doc__
        # Named where they stand in for the original, so pickle names that (a child process
        # imports it) and pydoc (and test_signal) see the signal module's own functions.
        f.__module__ = 'signal' if getattr(signal, real.__name__, None) is f else 'os'
        f.__name__ = real.__name__
        f.__qualname__ = real.__name__
    _interrupt_main.__module__ = '_thread'
    _interrupt_main.__name__ = _interrupt_main.__qualname__ = 'interrupt_main'
    _interrupt_main.__doc__ = _fallback_interrupt_main.__doc__
