"""Calls from Python into the host: ``from py_contexts import host``.

``host.call('name', *args, **kwargs)`` (or ``host.name(*args)``) runs the JS function
registered under that name (``py.registerFunction(name, fn)``; in VS Code also the
extension API's ``registerFunction``) and returns its result, converted. The calling thread
waits with the GIL released, so other contexts and threads keep running.

- A JS exception or rejection raises ``py_contexts.HostError`` (message and JS stack).
- An unknown name raises ``NameError``.
- Interrupting the context (or its call's ``timeoutMs``) ends the wait with
  ``KeyboardInterrupt``; ``call_timeout(seconds, name, ...)`` bounds one call and raises
  ``TimeoutError``. A late answer is dropped.
- A host function may call back into Python on another context. A call back into the
  context that is waiting here would wait for itself: the engine refuses it at once with an
  error in JS (the host function sees it and may report it back as a HostError).
"""

import _py_contexts_native as _native

from . import HostError


def _raise(info):
    kind = info.get("type") if isinstance(info, dict) else None
    message = info.get("message", "") if isinstance(info, dict) else str(info)
    if kind == "NameError":
        raise NameError(message)
    raise HostError(message, info.get("stack", "") if isinstance(info, dict) else "")


def call_timeout(seconds, name, /, *args, **kwargs):
    """host.call with a time limit in seconds (TimeoutError when it passes)."""
    ok, value = _native.host_call(name, args, kwargs, float(seconds))
    if not ok:
        _raise(value)
    return value


def call(name, /, *args, **kwargs):
    """Calls the host function `name` and returns its (converted) result."""
    ok, value = _native.host_call(name, args, kwargs, None)
    if not ok:
        _raise(value)
    return value


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)

    def bound(*args, **kwargs):
        return call(name, *args, **kwargs)

    bound.__name__ = name
    return bound
