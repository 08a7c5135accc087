"""The shared state store as Python sees it: ``from py_contexts import state``.

One table for the whole engine, kept in C++ (native/src/runtime/state_store.h) as copied
plain data, so every context, pool and thread sees the same keys and no Python object is
ever shared between them: values are copied in on every write and out on every read.
Single operations are atomic; ``incr``/``decr``/``setdefault``/``update`` are atomic as a
whole even when contexts run truly in parallel (free-threaded Python).
"""

from collections.abc import Mapping

import _py_contexts_native as _native

_MISSING = object()


class SharedState:
    """A dict-like view of the shared store. Keys are str; values are plain data (None, bool,
    int, float, str, bytes, list, tuple, dict, set) and come back as copies."""

    __slots__ = ()

    def __getitem__(self, key):
        return _native.state_get(key)

    def __setitem__(self, key, value):
        _native.state_set(key, value)

    def __delitem__(self, key):
        _native.state_delete(key)

    def __contains__(self, key):
        return _native.state_contains(key)

    def __iter__(self):
        return iter(_native.state_keys())

    def __len__(self):
        return _native.state_len()

    def keys(self):
        return _native.state_keys()

    def items(self):
        out = []
        for k in _native.state_keys():
            try:
                out.append((k, _native.state_get(k)))
            except KeyError:
                pass  # deleted meanwhile by another context
        return out

    def values(self):
        return [v for _, v in self.items()]

    def get(self, key, default=None):
        try:
            return _native.state_get(key)
        except KeyError:
            return default

    def pop(self, key, default=_MISSING):
        try:
            value = _native.state_get(key)
            _native.state_delete(key)
            return value
        except KeyError:
            if default is _MISSING:
                raise
            return default

    def incr(self, key, n=1):
        """Adds n to the number under key (0 if missing), atomically; returns the new value."""
        return _native.state_incr(key, n)

    def decr(self, key, n=1):
        """Subtracts n from the number under key (0 if missing), atomically; returns the new value."""
        if isinstance(n, bool) or not isinstance(n, (int, float)):
            raise TypeError(f"state.decr({key!r}, n): n must be an int or a float, not {type(n).__name__}")
        return _native.state_incr(key, -n)

    def setdefault(self, key, default=None):
        """The value under key; stores default first if the key is missing (atomically)."""
        return _native.state_setdefault(key, default)

    def update(self, other=(), **kwargs):
        """Stores every pair, all or none: a failing value or a full store changes nothing."""
        if isinstance(other, Mapping):
            pairs = [(k, other[k]) for k in other.keys()]
        elif hasattr(other, "keys"):
            pairs = [(k, other[k]) for k in other.keys()]
        else:
            pairs = [tuple(p) for p in other]
        pairs.extend(kwargs.items())
        _native.state_update(pairs)

    def clear(self):
        _native.state_clear()

    def to_dict(self):
        """A copy of the whole store as a plain dict."""
        return dict(self.items())

    def __repr__(self):
        return f"<py_contexts.state: {len(self)} keys>"


state = SharedState()
