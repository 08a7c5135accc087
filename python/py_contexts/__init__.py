"""Python side of Py Contexts: the runtime the embedded interpreter imports at start-up
(runtime), rich display for notebooks (display) and editor helpers (editor)."""


class HostError(Exception):
    """A host function (registered in JS with registerFunction) threw or rejected.

    ``message`` is the JS error's message and ``js_stack`` its stack.
    """

    def __init__(self, message, js_stack=""):
        super().__init__(message)
        self.message = message
        self.js_stack = js_stack


def view(obj, title=None):
    """Opens `obj` (a DataFrame, Series, 1-D/2-D array, list of dicts or tuples, dict of lists)
    in the data viewer, an editor tab that pages rows from this environment (dataview.py)."""
    from .dataview import view as _view

    _view(obj, title)


def __getattr__(name):
    # `state` is an object, not a module, so `from py_contexts import state` gives the mapping.
    # Loaded lazily: it needs the embedded interpreter's _py_contexts_native.
    if name == "state":
        from ._state import state

        return state
    raise AttributeError(f"module 'py_contexts' has no attribute {name!r}")
