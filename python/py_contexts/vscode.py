"""A small ``vscode``-like module for user code: ``from py_contexts import vscode``.

Each function is a host call (py_contexts.host) to a function the Py Contexts extension
registers under a ``vscode.`` name (src/surfaces/hostFunctions/); outside VS Code (the plain
engine API) they raise NameError. In an untrusted workspace they are refused (no Python runs
there at all).

- ``window.show_information_message(msg, *items)`` (and ``_warning_``, ``_error_``): the item
  chosen, or None when dismissed.
- ``window.show_quick_pick(items, placeholder=None)`` and
  ``window.show_input_box(prompt=None, password=False, value=None)``: the answer, or None.
- ``with window.progress("Training", cancellable=True) as p: p.report(message, increment)``:
  a progress notification; Cancel raises KeyboardInterrupt in the code.
- ``open(path, line=None)`` opens a file (at a 1-based line).
- ``env.clipboard.read()`` / ``env.clipboard.write(text)``.
- ``workspace.folders``: the workspace folders' paths.
"""

import _py_contexts_native as _native

from . import host as _host


def _call(name, *args):
    return _host.call("vscode." + name, *args)


class _Progress:
    """The handle of window.progress(): report() updates it; leaving the block ends it."""

    def __init__(self, title, cancellable):
        self._title = str(title)
        self._cancellable = bool(cancellable)
        self._id = None

    def __enter__(self):
        self._id = _call("window.progressStart", self._title, self._cancellable, _native.context_id())
        return self

    def report(self, message=None, increment=None):
        """Shows `message` and advances the bar by `increment` percent (of 100)."""
        cancelled = _call("window.progressReport", self._id, None if message is None else str(message),
                          None if increment is None else float(increment))
        if cancelled:
            # Normally the interrupt from Cancel has already raised; this covers threads.
            raise KeyboardInterrupt("cancelled from the progress notification")

    def __exit__(self, *exc):
        _call("window.progressEnd", self._id)
        return False


class _Window:
    def show_information_message(self, message, *items):
        return _call("window.showMessage", "info", str(message), [str(i) for i in items])

    def show_warning_message(self, message, *items):
        return _call("window.showMessage", "warning", str(message), [str(i) for i in items])

    def show_error_message(self, message, *items):
        return _call("window.showMessage", "error", str(message), [str(i) for i in items])

    def show_quick_pick(self, items, placeholder=None):
        return _call("window.showQuickPick", [str(i) for i in items], placeholder)

    def show_input_box(self, prompt=None, password=False, value=None):
        return _call("window.showInputBox", prompt, bool(password), value)

    def progress(self, title, cancellable=True):
        return _Progress(title, cancellable)


class _Clipboard:
    def read(self):
        return _call("env.clipboard.read")

    def write(self, text):
        _call("env.clipboard.write", str(text))


class _Env:
    clipboard = _Clipboard()


class _Workspace:
    @property
    def folders(self):
        return _call("workspace.folders")


window = _Window()
env = _Env()
workspace = _Workspace()


def open(path, line=None):  # noqa: A001 - the name mirrors vscode.open
    """Opens `path` in the editor, at the 1-based `line` if given."""
    import os

    _call("open", os.path.abspath(os.fspath(path)), None if line is None else int(line))
