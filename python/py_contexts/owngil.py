"""Own-GIL contexts (sub-interpreters with their own GIL, PEP 684): what differs there.

A C extension module with single-phase initialization (numpy today, readline, _curses…)
cannot be loaded into a sub-interpreter that has its own GIL; CPython raises "module X does
not support loading in subinterpreters", and packages such as numpy wrap that in a message of
their own. Here the import fails instead with an ImportError that says what to do:
"numpy cannot be imported in an own-GIL context; use a worker pool".

Installed only in own-GIL interpreters (runtime.py); each has its own importlib, so patching
its ExtensionFileLoader touches no other interpreter.
"""
import sys
from importlib.machinery import ExtensionFileLoader, SourceFileLoader, SourcelessFileLoader

from py_contexts._imports import spec_from_other_finders

MESSAGE = '{} cannot be imported in an own-GIL context; use a worker pool'
_CPYTHON_REFUSAL = 'does not support loading in subinterpreters'


class OwnGilImportError(ImportError):
    """The extension module (or the package `name` that needs it) refuses own-GIL interpreters."""


def _refusal_in(exc):
    """The OwnGilImportError in `exc`'s chain of causes, or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OwnGilImportError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _top(name):
    return name.partition('.')[0]


_create_module = ExtensionFileLoader.create_module


def _guarded_create_module(self, spec):
    try:
        return _create_module(self, spec)
    except ImportError as e:
        if _CPYTHON_REFUSAL not in str(e):
            raise
        raise OwnGilImportError(MESSAGE.format(_top(spec.name)), name=spec.name) from e


class _TopLevelGuard:
    """Finds top-level packages through the other finders and wraps their exec_module, so a
    package that catches the refusal and raises its own ImportError (numpy does) still fails
    with the clear message, the package's own one chained below it."""

    def find_spec(self, name, path=None, target=None):
        if '.' in name:
            return None
        spec = spec_from_other_finders(_TopLevelGuard, name, path, target)
        loader = spec.loader if spec is not None else None
        # Only loaders made for this one spec: built-in and frozen importers are shared classes.
        if not isinstance(loader, (SourceFileLoader, SourcelessFileLoader)):
            return spec
        exec_module = loader.exec_module

        def guarded_exec_module(module):
            try:
                exec_module(module)
            except ImportError as e:
                refusal = _refusal_in(e)
                if refusal is None or refusal is e:
                    raise
                raise OwnGilImportError(MESSAGE.format(name), name=name) from e

        loader.exec_module = guarded_exec_module
        return spec


def install():
    ExtensionFileLoader.create_module = _guarded_create_module
    sys.meta_path.insert(0, _TopLevelGuard())
