"""``sys.modules['__main__']`` that means the calling thread's environment.

Code in a document runs in its process's environment, a dict whose ``__name__`` is
``'__main__'``, so the classes and functions it defines get ``__module__ == '__main__'``.
``pickle`` (and everything built on it: ``copy`` of some objects, ``multiprocessing``,
``concurrent.futures.ProcessPoolExecutor``), ``dataclasses``, ``typing.get_type_hints``
and ``doctest`` find them again through ``sys.modules['__main__']``. Contexts share one
interpreter and one ``sys.modules``, so that single module resolves every attribute through
the environment of the run the current thread works for (threads.current_env()): concurrent
contexts never see each other's names.
"""

import sys
import types

from py_contexts import threads

_ORIGINAL = sys.modules.get('__main__')


class MainModule(types.ModuleType):
    """``__main__`` as the current thread's environment sees it."""

    def __getattr__(self, name):
        # Only called for names the module object itself lacks (PEP 562 semantics for a
        # subclass): its own dict holds just the import-system attributes, all None.
        env = threads.current_env()
        if env is not None:
            try:
                return env[name]
            except KeyError:
                pass
        raise AttributeError(f"module '__main__' has no attribute '{name}'")

    def __setattr__(self, name, value):
        env = threads.current_env()
        if env is None:
            super().__setattr__(name, value)
        else:
            env[name] = value

    def __delattr__(self, name):
        env = threads.current_env()
        if env is None:
            super().__delattr__(name)
            return
        try:
            del env[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        env = threads.current_env()
        return sorted(env if env is not None else super().__dir__())

    @property
    def __dict__(self):
        # vars(__main__), as dataclasses, typing and doctest read it: the environment itself.
        env = threads.current_env()
        return env if env is not None else _module_dict(self)

    def __repr__(self):
        return "<module '__main__' (py-contexts: the running document)>"


def _module_dict(module):
    return types.ModuleType.__dict__['__dict__'].__get__(module)


def install():
    main = MainModule('__main__')
    # The import-system attributes stay None, so multiprocessing's spawn start method looks
    # for __file__, which __getattr__ finds in a file-backed document's environment.
    sys.modules['__main__'] = main
    return main
