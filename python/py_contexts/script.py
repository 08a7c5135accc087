"""Script semantics for runs from file-backed editors: ``__file__`` and ``sys.argv``.

``__file__`` lives in the environment, as in a script's globals. ``sys.argv`` is one list of
the shared interpreter, so it becomes a list whose contents are those of the run on the
calling thread (Run File: ``[path]``), or the interpreter's own (``['']``) elsewhere.
"""

import sys
import threading

_tls = threading.local()


class Argv(list):
    """``sys.argv``: the running script's arguments on this thread."""

    def __iadd__(self, other):
        _target(self).extend(other)
        return self

    def __imul__(self, n):
        t = _target(self)
        t[:] = list.__mul__(t, n)
        return self

    def __reduce_ex__(self, protocol):
        return (list, (list(self),))


def _target(base):
    t = getattr(_tls, 'argv', None)
    return base if t is None else t


def _delegate(name):
    method = getattr(list, name)

    def delegated(self, *args, **kwargs):
        return method(_target(self), *args, **kwargs)

    delegated.__name__ = name
    delegated.__qualname__ = f'Argv.{name}'
    return delegated


for _name in (
    '__getitem__', '__setitem__', '__delitem__', '__len__', '__iter__', '__reversed__', '__contains__',
    '__repr__', '__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__', '__add__', '__mul__', '__rmul__',
    'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'copy', 'count', 'index', 'reverse', 'sort',
):
    setattr(Argv, _name, _delegate(_name))
Argv.__hash__ = None


def install():
    sys.argv = Argv(sys.argv)


def begin(env, script):
    """Applies a run's script options (runtime._op_run); returns what end() needs."""
    path = script.get('file')
    if isinstance(path, str):
        env['__file__'] = path
    argv = script.get('argv')
    if argv is None:
        return None
    if not isinstance(sys.argv, Argv):  # user code replaced it: put ours back
        sys.argv = Argv(sys.argv)
    prev = getattr(_tls, 'argv', None)
    _tls.argv = [str(a) for a in argv]
    return (prev,)


def end(token):
    if token is not None:
        _tls.argv = token[0]
