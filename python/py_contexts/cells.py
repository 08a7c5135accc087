"""Code compiled as a cell: the statements, and a trailing expression apart (its value is the
cell's result), under the cell's file name from its first line, top-level ``await`` allowed.

The runtime's ops (``py_contexts.runtime``) and the magics that run a cell's body
(``%%time``, ``%%capture``: ``py_contexts.magics``) compile through here, so both report the
cell's own lines in tracebacks. Importable without the engine (the unit tests' plain python).
Cached: the same code from the same place is compiled once.
"""

import ast

from py_contexts import autoawait as _autoawait

_cache = {}
_CACHE_MAX = 512


def _cached(key):
    # Not _cache.get(): on free-threaded 3.13, dict.get() holds the dict's lock, and a hit
    # compiled on another context's thread takes it again and waits on itself (about 60 µs
    # a call). A subscript locks once. runtime._resolve has the same note.
    try:
        return _cache[key]
    except KeyError:
        return None


def compile_block(code, filename, first_line):
    key = (code, filename, first_line)
    hit = _cached(key)
    if hit is not None:
        return hit
    tree = ast.parse(code, filename, 'exec')
    if first_line > 1:
        ast.increment_lineno(tree, first_line - 1)
    body, expr = tree.body, None
    if body and isinstance(body[-1], ast.Expr):
        expr = ast.Expression(body[-1].value)
        body = body[:-1]
    mod = ast.Module(body=body, type_ignores=[])
    # Top-level await is allowed (py_contexts.autoawait); code that awaits compiles to a
    # coroutine code object, everything else exactly as without the flag.
    flags = _autoawait.FLAGS
    compiled = (
        compile(mod, filename, 'exec', flags) if body else None,
        compile(expr, filename, 'eval', flags) if expr is not None else None,
    )
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[key] = compiled
    return compiled


def compile_eval(code, filename):
    key = (code, filename, 'eval')
    hit = _cached(key)
    if hit is None:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        hit = _cache[key] = compile(code, filename, 'eval')
    return hit
