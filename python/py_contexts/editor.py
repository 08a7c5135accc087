"""Python-side helpers for the editor surfaces (issue 3), run on the context thread that
owns the document's environment.

``variables`` lists a namespace (or a value inside it) for the Context Pool tree. It must
never hang the context: every ``repr`` runs under a size limit and a deadline, so a hostile
``__repr__`` shows as "repr timed out" instead.

(The statement under the cursor is found without Python, in
src/surfaces/runSelection/statements.ts, so that it never waits for a busy context.)
"""

from __future__ import annotations

import ast
import inspect
import itertools
import os
import reprlib
import threading
import time
import types
from typing import Any

# ---------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------

# Names the runtime puts into every environment (and `_`, the last result, a duplicate);
# they are not the user's variables.
HIDDEN_NAMES = frozenset({"_", "display", "In", "Out", "get_ipython", "exit", "quit"})

# Values of these libraries have their own good repr and an internal __dict__ that
# would only confuse a variables view, so they are shown but not expanded.
_OPAQUE_MODULES = ("numpy", "pandas", "matplotlib", "torch", "polars", "scipy")


class _ReprTimeout(BaseException):
    """Raised inside a slow __repr__. A BaseException, so `except Exception` cannot swallow it."""


class _Watchdog:
    """Raises _ReprTimeout in threads whose deadline has passed: one daemon thread for
    every deadline of the process, started on first use and ended when idle, instead of a
    timer thread per repr.

    A trace hook is not enough: ``while True: pass`` compiles to one jump that produces
    no trace events. The watchdog raises the exception with PyThreadState_SetAsyncExc,
    which the interpreter checks on every backward jump and call: the engine's
    ``async_raise``, the same C call as its interrupts (ctypes only outside the engine).
    Firing and disarming happen under one lock, so a deadline can never fire after its
    guarded code has finished, and any exception still pending at that point is cleared.
    C code that never returns to the interpreter cannot be stopped this way; containers
    are therefore summarised with reprlib, which never builds a huge repr in C.
    """

    IDLE_SECONDS = 5.0

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.armed: dict[int, tuple[float, int]] = {}  # token -> (monotonic deadline, thread id)
        self.tokens = itertools.count()
        self.running = False
        self.stopping = False

    def arm(self, seconds: float) -> int:
        with self.cond:
            token = next(self.tokens)
            self.armed[token] = (time.monotonic() + seconds, threading.get_ident())
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, name="py-contexts-repr-deadline", daemon=True).start()
            self.cond.notify()
            return token

    def disarm(self, token: int) -> None:
        with self.cond:
            self.armed.pop(token, None)
            # Fired or not, nothing may stay pending for this (the guarded) thread now.
            _async_raise(threading.get_ident(), None)

    def stop(self) -> None:
        """Ends the thread now (an own-GIL context's interpreter is about to end)."""
        with self.cond:
            self.stopping = True
            self.cond.notify()

    def _run(self) -> None:
        with self.cond:
            idle_since = time.monotonic()
            while True:
                if self.stopping:
                    self.running = False
                    return
                now = time.monotonic()
                for token, (when, thread_id) in list(self.armed.items()):
                    if when <= now:
                        del self.armed[token]
                        _async_raise(thread_id, _ReprTimeout)
                if self.armed:
                    idle_since = now
                    self.cond.wait(max(min(w for w, _ in self.armed.values()) - now, 0.0))
                elif now - idle_since >= self.IDLE_SECONDS:
                    # A fork's child also lands here with running=True and no thread:
                    # _after_fork below resets it.
                    self.running = False
                    return
                else:
                    self.cond.wait(self.IDLE_SECONDS - (now - idle_since))

    def _after_fork(self) -> None:
        self.cond = threading.Condition()
        self.armed.clear()
        self.running = False


class _Deadline:
    """Interrupts Python code running on this thread once `seconds` have passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.token: int | None = None

    def __enter__(self) -> "_Deadline":
        if _watchdog is not None:
            self.token = _watchdog.arm(self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        if _watchdog is not None and self.token is not None:
            _watchdog.disarm(self.token)


def _engine_async_raise():
    """The engine's own PyThreadState_SetAsyncExc (``_py_contexts_native.async_raise``, the
    call its interrupts use), or None outside the engine."""
    try:
        import _py_contexts_native
    except ImportError:
        return None
    return getattr(_py_contexts_native, 'async_raise', None)


def _ctypes_async_raise():
    # A plain python (the unit tests' driver) has no engine: the same C call through ctypes.
    import ctypes

    set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc

    def async_raise(thread_id: int, exc: Any) -> int:
        # No argtypes: ctypes passes None as NULL, which clears a pending exception.
        return set_async_exc(ctypes.c_ulong(thread_id), None if exc is None else ctypes.py_object(exc))

    return async_raise


try:
    _async_raise: Any = _engine_async_raise() or _ctypes_async_raise()
    _watchdog: _Watchdog | None = _Watchdog()
    os.register_at_fork(after_in_child=_watchdog._after_fork)
except Exception:  # neither the engine nor ctypes: reprs are then limited in size only
    _async_raise = None
    _watchdog = None


def _short_repr(value: object, chars: int) -> str:
    limiter = reprlib.Repr()
    limiter.maxlevel = 2
    limiter.maxdict = limiter.maxlist = limiter.maxtuple = 12
    limiter.maxset = limiter.maxfrozenset = limiter.maxdeque = limiter.maxarray = 12
    limiter.maxstring = max(chars, 8)
    limiter.maxother = max(chars, 8)
    limiter.maxlong = max(chars, 8)
    text = limiter.repr(value)
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


def _guarded(fn: Any, seconds: float, timed_out: Any) -> Any:
    try:
        with _Deadline(seconds):
            return fn()
    except _ReprTimeout:
        return timed_out
    except RecursionError:
        return timed_out
    except Exception as e:  # a broken __repr__ or __len__ is the value's problem, not ours
        return _Failed(f"{type(e).__name__}: {e}")


def _guarded_fast(fn: Any) -> Any:
    try:
        return fn()
    except Exception as e:
        return _Failed(f"{type(e).__name__}: {e}")


_SCALARS = (str, bytes, int, float, complex, bool, type(None))
_SKIPPED = object()


class _Failed:
    def __init__(self, message: str) -> None:
        self.message = message


def _type_name(value: object) -> str:
    cls = type(value)
    return getattr(cls, "__qualname__", None) or cls.__name__


def _is_helper(name: str, value: object) -> bool:
    if name in HIDDEN_NAMES:
        return True
    if isinstance(value, types.ModuleType):
        return True
    module = getattr(value, "__module__", None) if inspect.isroutine(value) else None
    return isinstance(module, str) and module.startswith("py_contexts")


def _instance_dict(value: object) -> dict[str, object] | None:
    if isinstance(value, type) or inspect.isroutine(value) or isinstance(value, types.ModuleType):
        return None
    module = getattr(type(value), "__module__", "") or ""
    if module.split(".")[0] in _OPAQUE_MODULES:
        return None
    try:
        d = object.__getattribute__(value, "__dict__")
    except Exception:
        return None
    return d if isinstance(d, dict) else None


def _children(value: object, limit: int) -> tuple[list[tuple[str, str, object]], int] | None:
    """Up to `limit` (label, path key, child) of an expandable value and the total count,
    or None for a leaf. Only the shown items are looked at, so a dict of a million keys
    costs no more than one of a hundred."""
    if isinstance(value, (str, bytes, bytearray, int, float, complex, bool, type(None))):
        return None
    if isinstance(value, dict):
        out = []
        for i, (k, v) in enumerate(itertools.islice(value.items(), limit)):
            key = _key_token(k, i)
            out.append((key if key[0] != "#" else f"[{i}]", key, v))
        return out, len(value)
    if isinstance(value, (list, tuple)):
        return [(str(i), str(i), value[i]) for i in range(min(limit, len(value)))], len(value)
    if isinstance(value, (set, frozenset)):
        return [(f"[{i}]", f"#{i}", v) for i, v in enumerate(itertools.islice(value, limit))], len(value)
    attrs = _instance_dict(value)
    if attrs is None:
        return None
    items = [(k, k, v) for k, v in attrs.items() if not (k.startswith("__") and k.endswith("__"))]
    return items[:limit], len(items)


_LITERAL_KEYS = (str, int, float, bool, type(None))


def _key_token(key: object, index: int) -> str:
    """A dict key as a path element: its repr when it reads back as itself, else #index."""
    if isinstance(key, _LITERAL_KEYS) or (
        isinstance(key, tuple) and all(isinstance(k, _LITERAL_KEYS) for k in key)
    ):
        text = repr(key)
        if len(text) <= 200:
            try:
                if ast.literal_eval(text) == key:
                    return text
            except (ValueError, SyntaxError):
                pass
    return f"#{index}"


def _step(value: object, token: str) -> object:
    if isinstance(value, dict):
        if token.startswith("#"):
            return next(itertools.islice(value.values(), int(token[1:]), None))
        return value[ast.literal_eval(token)]
    if isinstance(value, (list, tuple)):
        return value[int(token)]
    if isinstance(value, (set, frozenset)):
        return next(itertools.islice(value, int(token[1:]), None))
    attrs = _instance_dict(value)
    if attrs is None:
        raise KeyError(token)
    return attrs[token]


def _has_children(value: object) -> bool:
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return len(value) > 0
    if isinstance(value, (str, bytes, bytearray, int, float, complex, bool, type(None))):
        return False
    attrs = _instance_dict(value)
    return bool(attrs) and any(not (k.startswith("__") and k.endswith("__")) for k in attrs)


def _length(value: object, seconds: float) -> int | None:
    if isinstance(value, (str, bytes, bytearray, dict, list, tuple, set, frozenset)):
        return len(value)
    if isinstance(value, type) or not hasattr(type(value), "__len__"):
        return None
    n = _guarded(lambda: len(value), seconds, None)  # type: ignore[arg-type]
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def _viewable(value: object) -> bool:
    """Whether the data viewer can show the value (the tree's "View Data")."""
    from py_contexts.dataview import viewable

    try:
        return viewable(value)
    except Exception:  # a hostile __len__ or __getitem__: no viewer, but the listing goes on
        return False


def variables(
    ns: dict[str, object],
    path: list[str] | None = None,
    max_items: int = 100,
    repr_chars: int = 120,
    repr_timeout_ms: int = 200,
) -> list[dict[str, object]]:
    """Entries for the variables view: the namespace's user variables, or the items at `path`.

    Each entry is {name, type, repr, expandable, length?, path}; `path` is what to pass back
    to expand it. More than `max_items` entries end with one "… N more" entry. A repr that
    takes longer than `repr_timeout_ms` reads "repr timed out"; once the whole call has
    used a few such budgets, the remaining entries read "repr skipped" so that one view of
    many hostile objects still returns quickly.
    """
    path = list(path or [])
    seconds = max(repr_timeout_ms, 1) / 1000.0
    budget_end = time.monotonic() + max(1.0, 5 * seconds)

    limit = max(max_items, 0)
    if not path:
        items = [(k, k, v) for k, v in list(ns.items()) if not k.startswith("__") and not _is_helper(k, v)]
        total = len(items)
        items = items[:limit]
    else:
        value: object = ns[path[0]]
        for token in path[1:]:
            value = _step(value, token)
        items, total = _children(value, limit) or ([], 0)

    out: list[dict[str, object]] = []
    for label, token, v in items:
        if type(v) in _SCALARS:
            # Exact builtin scalars have a C repr of bounded cost (subclasses may not), so
            # they skip the timer thread that the deadline costs.
            r = _guarded_fast(lambda: _short_repr(v, repr_chars))
        elif time.monotonic() > budget_end:
            r = _SKIPPED
        else:
            r = _guarded(lambda: _short_repr(v, repr_chars), seconds, None)
        if r is _SKIPPED:
            text = "repr skipped"
        elif r is None:
            text = "repr timed out"
        elif isinstance(r, _Failed):
            text = f"<repr failed: {r.message}>"[:repr_chars]
        else:
            text = str(r)
        entry: dict[str, object] = {
            "name": label,
            "type": _type_name(v),
            "repr": text,
            "expandable": _has_children(v),
            "path": path + [token] if path else [token],
        }
        n = _length(v, seconds)
        if n is not None:
            entry["length"] = n
        if _viewable(v):
            entry["viewable"] = True
        out.append(entry)
    if total > limit:
        out.append({"name": f"… {total - limit} more", "type": "", "repr": "", "expandable": False, "path": []})
    return out
