"""The text run selection shows for a trailing value: Python's own repr, bounded.

Run selection shows the value of the last expression inline and in a hover. The value
stays in Python (as ``_``); only this text crosses to the editor, so a list of a million
items costs what a list of a thousand does, and ``(1, 2)`` reads ``(1, 2)`` and ``1.0``
reads ``1.0``, exactly as the REPL prints them.

The builtin containers are written item by item until the budget is spent (reprlib's
idea, but in the builtins' own order and format, so small values read exactly like
``repr()``). Everything else uses its own ``__repr__``; numpy and pandas already
summarise large values there, and a slow user ``__repr__`` runs inside the call, where
Interrupt reaches it, never on the editor's thread.
"""

from __future__ import annotations

MAX_CHARS = 10_000
_MAX_DEPTH = 24
_FILL = "..."


class _Full(Exception):
    """The budget is spent: stop writing."""


class _Writer:
    def __init__(self, budget: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.budget = budget
        # Closing brackets of the containers being written, innermost last, and the last
        # place between two items where the text could be cut and closed again.
        self.closers: list[str] = []
        self.safe: tuple[int, tuple[str, ...]] | None = None
        # A string or repr inside was shortened (even if the whole still fits).
        self.shortened = False

    def separator(self) -> None:
        self.safe = (self.size, tuple(self.closers))
        self.put(", ")

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > self.budget:
            raise _Full

    def text(self) -> str:
        return "".join(self.parts)

    def cut_text(self) -> str:
        """The text cut at the last item that fitted, with "..." and the brackets closed."""
        text = self.text()
        if self.safe is None:
            return _cut(text, self.budget)
        size, closers = self.safe
        return text[:size] + ", " + _FILL + "".join(reversed(closers))


def _cut(text: str, limit: int) -> str:
    """Head and tail of a long text around "...", as reprlib shortens strings."""
    if len(text) <= limit:
        return text
    head = max((limit - len(_FILL)) * 2 // 3, 1)
    tail = max(limit - len(_FILL) - head, 0)
    return text[:head] + _FILL + (text[len(text) - tail:] if tail else "")


def _scalar(value: object, limit: int, out: _Writer) -> str | None:
    """The repr of an exact builtin scalar, bounded; None for anything else."""
    t = type(value)
    if t is str or t is bytes or t is bytearray:
        n = len(value)  # type: ignore[arg-type]
        if n <= limit:
            return repr(value)
        # Only the ends are converted: repr() of a 100 MB string would copy it all.
        out.shortened = True
        keep = max(limit // 2, 1)
        return _cut(repr(value[:keep]) + repr(value[n - keep:]), limit)  # type: ignore[index]
    if t is int:
        try:
            text = repr(value)
        except ValueError:  # more digits than sys.get_int_max_str_digits() allows
            out.shortened = True
            digits = int(value.bit_length() * 0.30103) + 1  # type: ignore[attr-defined]
            return f"<int of about {digits:,} digits>"
        return _shorten(text, limit, out)
    if t is float or t is complex or t is bool or value is None:
        return repr(value)
    return None


def _shorten(text: str, limit: int, out: _Writer) -> str:
    if len(text) <= limit:
        return text
    out.shortened = True
    return _cut(text, limit)


_OPEN = {list: "[", tuple: "(", set: "{", frozenset: "frozenset({", dict: "{"}
_CLOSE = {list: "]", tuple: ")", set: "}", frozenset: "})", dict: "}"}
_EMPTY = {list: "[]", tuple: "()", set: "set()", frozenset: "frozenset()", dict: "{}"}


def _write(value: object, out: _Writer, depth: int, active: set[int]) -> None:
    t = type(value)
    room = max(out.budget - out.size, 16)
    text = _scalar(value, room, out)
    if text is not None:
        out.put(text)
        return
    if t not in _OPEN:
        try:
            text = repr(value)
        except Exception as e:  # a broken __repr__ is the value's problem, not the run's
            text = f"<{t.__name__} object; repr() failed: {type(e).__name__}: {e}>"
        out.put(_shorten(text, room, out))
        return
    if not value:  # type: ignore[truthy-bool]
        out.put(_EMPTY[t])
        return
    if id(value) in active or depth > _MAX_DEPTH:
        # What repr() prints for a container that contains itself.
        out.put("{...}" if t is dict else "[...]" if t is list else _FILL)
        return
    active.add(id(value))
    out.closers.append(_CLOSE[t])
    try:
        out.put(_OPEN[t])
        if t is dict:
            for i, (k, v) in enumerate(value.items()):  # type: ignore[attr-defined]
                if i:
                    out.separator()
                _write(k, out, depth + 1, active)
                out.put(": ")
                _write(v, out, depth + 1, active)
        else:
            for i, item in enumerate(value):  # type: ignore[attr-defined]
                if i:
                    out.separator()
                _write(item, out, depth + 1, active)
            if t is tuple and len(value) == 1:  # type: ignore[arg-type]
                out.put(",")
        out.closers.pop()
        out.put(_CLOSE[t])
    finally:
        active.discard(id(value))


def result_repr(value: object, max_chars: int = MAX_CHARS) -> dict[str, object]:
    """{repr, type, truncated, length?} for the trailing value of a run.

    ``repr`` is ``repr(value)`` when that fits in ``max_chars``; otherwise it is cut after
    the last item that fits, with "..." and the open brackets closed, so the shape stays
    readable: ``[0, 1, 2, ...]``.
    """
    out = _Writer(max(max_chars, 16))
    truncated = False
    try:
        _write(value, out, 0, set())
    except _Full:
        truncated = True
    text = out.cut_text() if truncated else out.text()
    t = type(value)
    info: dict[str, object] = {
        "repr": text,
        "type": getattr(t, "__qualname__", None) or t.__name__,
        "truncated": truncated or out.shortened,
    }
    if t in _OPEN or t is str or t is bytes or t is bytearray:
        info["length"] = len(value)  # type: ignore[arg-type]
    return info
