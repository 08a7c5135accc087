"""Completions, hover and signatures from a process's live environment (issue 12, part 2).

The editor asks while the user types, so everything here must be fast and must not
change the user's program:

* Expressions are resolved by walking their syntax tree, never evaluated: names,
  attributes and subscripts with a literal key only. ``f().x`` or ``a[i]`` resolve to
  nothing.
* Attributes are read with ``inspect.getattr_static``: no property getter, no
  ``__getattr__`` runs unless the caller passes ``evaluate=True`` (the setting
  ``pyContexts.completions.evaluateProperties``). ``dir()`` does run (``__dir__`` is how
  pandas lists a DataFrame's columns), and so does ``repr()`` for a hover.
* Each request runs under the same per-thread deadline as the variables view
  (``editor._Deadline``): past it, the user's code is interrupted and the answer is empty.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
import types
from typing import Any

from py_contexts import editor

MAX_ITEMS = 2000
DOC_CHARS = 4000
REPR_CHARS = 200
REPR_SECONDS = 0.05

_MISSING = object()


def _is(value: object, classes: Any) -> bool:
    """isinstance() without its fallback to `value.__class__`, which runs a class's own
    `__getattribute__` when the type check fails."""
    return issubclass(type(value), classes)


class _Unresolved(Exception):
    """The expression is not a plain name/attribute/literal-subscript chain, or a step failed."""


def _parse(expr: str) -> ast.expr:
    try:
        tree = ast.parse(expr.strip(), mode='eval')
    except (SyntaxError, ValueError):
        raise _Unresolved(expr) from None
    return tree.body


def _static_attr(obj: object, name: str, evaluate: bool) -> object:
    if evaluate:
        return getattr(obj, name)
    try:
        value = inspect.getattr_static(obj, name)
    except AttributeError:
        columns = _dataframe_columns(obj)
        if columns is not None and name in columns:
            return obj[name]  # type: ignore[index]
        raise
    # Plain functions and descriptors that only bind (methods, classmethods, slots of
    # builtins) are safe to bind; a property or any other descriptor is left unevaluated.
    return _bind(obj, name, value)


def _dataframe_columns(obj: object) -> list[object] | None:
    """A pandas DataFrame's column labels. Only for pandas' own DataFrame class, whose
    `columns` and `__getitem__` run no user code; a user's subclass may override them."""
    pd = sys.modules.get('pandas')
    if pd is None or not _is(obj, pd.DataFrame) or type(obj).__module__.split('.')[0] != 'pandas':
        return None
    try:
        return list(obj.columns)  # type: ignore[attr-defined]
    except Exception:
        return None


def _subscript(obj: object, key: object, evaluate: bool) -> object:
    if _is(obj, dict):
        # dict's own lookup: a subclass's __getitem__ or __missing__ does not run.
        value = dict.get(obj, key, _MISSING)
        if value is _MISSING:
            raise _Unresolved(key)
        return value
    if _is(obj, (list, tuple, str)) and _is(key, int):
        return (list if _is(obj, list) else tuple if _is(obj, tuple) else str).__getitem__(obj, key)
    columns = _dataframe_columns(obj)
    if (columns is not None and key in columns) or evaluate:
        # A column is built by pandas (no user code), so a hover or `df['a'].` works.
        return obj[key]  # type: ignore[index]
    raise _Unresolved(key)


def _resolve(env: dict[str, Any], node: ast.expr, evaluate: bool) -> object:
    if _is(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if hasattr(builtins, node.id):
            return getattr(builtins, node.id)
        raise _Unresolved(node.id)
    if _is(node, ast.Attribute):
        base = _resolve(env, node.value, evaluate)
        try:
            return _static_attr(base, node.attr, evaluate)
        except AttributeError:
            raise _Unresolved(node.attr) from None
    if _is(node, ast.Subscript) and _is(node.slice, ast.Constant):
        base = _resolve(env, node.value, evaluate)
        try:
            return _subscript(base, node.slice.value, evaluate)
        except (LookupError, TypeError):
            raise _Unresolved(node.slice.value) from None
    raise _Unresolved(ast.dump(node))


def resolve(env: dict[str, Any], expr: str, evaluate: bool = False) -> object:
    """The value `expr` names in `env`, or raises _Unresolved."""
    return _resolve(env, _parse(expr), evaluate)


# ---------------------------------------------------------------------------
# What a value is, in the editor's words

def _type_name(value: object) -> str:
    cls = type(value)
    name = getattr(cls, '__qualname__', None) or cls.__name__
    module = getattr(cls, '__module__', '')
    return name if module in ('builtins', '__main__', None, '') else f'{module.split(".")[0]}.{name}'


def _kind(value: object) -> str:
    """One of the words CompletionItemKind knows (mapped in src/surfaces/live/items.ts)."""
    if _is(value, types.ModuleType):
        return 'module'
    if _is(value, type):
        return 'class'
    if _is(value, (property, types.GetSetDescriptorType, types.MemberDescriptorType)):
        return 'property'
    if _is(value, (types.MethodType, types.BuiltinMethodType, types.MethodWrapperType)) and \
            getattr(value, '__self__', None) is not None and not _is(value.__self__, types.ModuleType):
        return 'method'
    if callable(value):
        return 'function'
    return 'variable'


def _detail(value: object) -> str:
    if _is(value, property):
        return 'property (not evaluated)'
    if _is(value, type):
        return 'class'
    if _is(value, types.ModuleType):
        return 'module'
    return _type_name(value)


def _doc(value: object) -> str:
    if _is(value, (int, float, complex, str, bytes, bool, type(None), list, dict, tuple, set)):
        return ''  # the type's docstring says nothing about this value
    if _is(value, types.MethodType):
        # getdoc() of a bound method without a docstring looks for one on
        # `__self__.__class__`, which runs the instance's own __getattribute__; the function
        # finds its class through its qualified name instead.
        value = value.__func__
    try:
        doc = inspect.getdoc(value)
    except Exception:
        doc = None
    return (doc or '')[:DOC_CHARS]


def _first_paragraph(doc: str) -> str:
    return doc.strip().split('\n\n', 1)[0].strip()


def _signature_text(value: object) -> str | None:
    try:
        return str(inspect.signature(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# Requests

def _item(name: str, value: object) -> dict[str, str]:
    return {'label': name, 'kind': _kind(value), 'detail': _detail(value)}


def _is_data_descriptor(value: object) -> bool:
    t = type(value)
    return hasattr(t, '__set__') or hasattr(t, '__delete__')


def _lookup_table(obj: object) -> dict[str, object] | None:
    """Every attribute `getattr_static` would find on an instance or a module, gathered in
    one pass over the class's MRO instead of one pass per name (a DataFrame has about 450
    attributes over 15 classes). None for classes, whose metaclass rules are left to
    `getattr_static` itself."""
    if _is(obj, type):
        return None
    if _is(obj, types.ModuleType):
        return dict(obj.__dict__)
    table: dict[str, object] = {}
    for cls in reversed(type(obj).__mro__):
        table.update(cls.__dict__)
    try:
        own = object.__getattribute__(obj, '__dict__')
    except Exception:
        own = None
    if _is(own, dict):
        for name, value in own.items():
            if not _is_data_descriptor(table.get(name)):
                table[name] = value
    return table


def _bind(obj: object, name: str, value: object) -> object:
    """A looked-up attribute as the user would get it, when getting it runs no user code:
    functions and class/static methods are bound through their own (C) `__get__`, never
    through `getattr`, which would run a class's own `__getattribute__`."""
    if not _is(value, _BINDABLE) or _is(obj, types.ModuleType):
        return value
    try:
        if _is(obj, type):
            return value.__get__(None, obj)  # type: ignore[attr-defined]
        return value.__get__(obj, type(obj))  # type: ignore[attr-defined]
    except Exception:
        return value


_BINDABLE = (staticmethod, classmethod, types.FunctionType, types.BuiltinFunctionType,
             types.WrapperDescriptorType, types.MethodDescriptorType, types.ClassMethodDescriptorType)


def _attribute_items(obj: object, evaluate: bool) -> list[dict[str, str]]:
    try:
        names = dir(obj)
    except Exception:
        names = []
    columns = _column_details(obj)
    table = None if evaluate else _lookup_table(obj)
    out = []
    for name in names[:MAX_ITEMS]:
        if not _is(name, str):
            continue
        if name in columns and name.isidentifier():
            out.append({'label': name, 'kind': 'field', 'detail': columns[name]})
            continue
        if table is not None:
            value = table.get(name, _MISSING)
            # Kinds and types only: a method is described well enough unbound.
        else:
            try:
                value = _static_attr(obj, name, evaluate)
            except Exception:
                value = _MISSING
        if value is _MISSING:
            # Listed by __dir__ but not statically present: reached through __getattr__.
            out.append({'label': name, 'kind': 'variable', 'detail': 'dynamic (not evaluated)'})
        elif table is not None and not _is(obj, types.ModuleType) and _is(value, _METHODS):
            out.append({'label': name, 'kind': 'method', 'detail': 'method'})
        else:
            out.append(_item(name, value))
    return out


_METHODS = (types.FunctionType, types.MethodDescriptorType, types.WrapperDescriptorType, classmethod, staticmethod)


def _column_details(obj: object) -> dict[object, str]:
    """'column · int64' for each column of a DataFrame (dtypes read once: `df.dtypes` builds
    a Series each time it is asked)."""
    columns = _dataframe_columns(obj)
    if not columns:
        return {}
    try:
        dtypes = [str(t) for t in obj.dtypes]  # type: ignore[attr-defined]
    except Exception:
        return {c: 'column' for c in columns}
    return {c: f'column · {t}' for c, t in zip(columns, dtypes)}


def _name_items(env: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for name, value in list(env.items()):
        if name.startswith('__') or name in editor.HIDDEN_NAMES:
            continue
        out.append(_item(name, value))
    return out


def _key_items(obj: object) -> list[dict[str, str]]:
    if _is(obj, dict):
        keys = dict.keys(obj)  # dict's own view: a subclass's keys() does not run
        pairs = ((k, dict.get(obj, k)) for k in keys)
    else:
        columns = _dataframe_columns(obj)
        if columns is None:
            return []
        pairs = ((c, None) for c in columns)
    out = []
    for i, (key, value) in enumerate(pairs):
        if i >= MAX_ITEMS:
            break
        if _is(key, str):
            detail = 'column' if value is None else _type_name(value)
            out.append({'label': key, 'kind': 'key', 'detail': detail})
    return out


def complete(env: dict[str, Any], kind: str, expr: str, evaluate: bool) -> list[dict[str, str]]:
    """Completion items: `kind` 'attr' (the attributes of `expr`), 'key' (the string keys of
    a dict or the columns of a DataFrame `expr`) or 'name' (the environment's names)."""
    if kind == 'name':
        return _name_items(env)
    try:
        obj = resolve(env, expr, evaluate)
    except _Unresolved:
        return []
    return _attribute_items(obj, evaluate) if kind == 'attr' else _key_items(obj)


def describe(env: dict[str, Any], expr: str, evaluate: bool) -> dict[str, str] | None:
    """A hover: type, a short repr, the signature of a callable and the first paragraph of
    the docstring."""
    try:
        value = resolve(env, expr, evaluate)
    except _Unresolved:
        return None
    columns = _column_details(value)
    if _is(value, property):
        text = '<property, not evaluated>'
    elif columns:
        # A DataFrame's repr is a table (and slow the first time); its shape and columns
        # say more in one line.
        shown = ', '.join(f'{c} ({d.split(" · ")[-1]})' for c, d in list(columns.items())[:12])
        more = f', … {len(columns) - 12} more' if len(columns) > 12 else ''
        text = f'{len(value)} rows × {len(columns)} columns: {shown}{more}'  # type: ignore[arg-type]
    else:
        # A slow repr (a big DataFrame on a busy machine) costs the hover its repr only,
        # not its type and docstring: it gets part of the request's time.
        r = editor._guarded(lambda: editor._short_repr(value, REPR_CHARS), REPR_SECONDS, None)
        if r is None:
            text = '<repr timed out>'
        elif _is(r, editor._Failed):
            text = f'<repr failed: {r.message}>'
        else:
            text = r
    out = {'type': _detail(value), 'repr': text, 'doc': _first_paragraph(_doc(value))}
    sig = _signature_text(value) if callable(value) else None
    if sig is not None:
        out['signature'] = sig
    return out


def signature(env: dict[str, Any], expr: str, evaluate: bool) -> dict[str, object] | None:
    """`inspect.signature` of the live callable `expr`: its label and parameters."""
    try:
        fn = resolve(env, expr, evaluate)
        sig = inspect.signature(fn)  # type: ignore[arg-type]
    except (_Unresolved, TypeError, ValueError):
        return None
    name = expr.strip().rsplit('.', 1)[-1]
    params = []
    for p in sig.parameters.values():
        params.append({'label': str(p), 'name': p.name, 'kind': p.kind.name})
    return {'label': f'{name}{sig}', 'parameters': params, 'doc': _first_paragraph(_doc(fn))}


def documentation(env: dict[str, Any], expr: str, evaluate: bool) -> dict[str, str] | None:
    """The docstring and signature of one completion item, asked for when it is selected
    (sending every docstring of `np.` with the list would cost more than the list)."""
    try:
        value = resolve(env, expr, evaluate)
    except _Unresolved:
        return None
    out = {'doc': _doc(value)}
    sig = _signature_text(value) if callable(value) and not _is(value, type) else None
    if sig is not None:
        out['signature'] = sig
    return out


_REQUESTS = {
    'complete': lambda env, a, ev: complete(env, a[0], a[1], ev),
    'hover': lambda env, a, ev: describe(env, a[0], ev),
    'signature': lambda env, a, ev: signature(env, a[0], ev),
    'doc': lambda env, a, ev: documentation(env, a[0], ev),
}


def request(env: dict[str, Any], what: str, args: list[Any], evaluate: bool, deadline_ms: int) -> object:
    """One request of the editor, answered within `deadline_ms` or not at all (None).

    A failure in the user's objects (a __dir__ that raises, a repr that loops) is an empty
    answer, never an error: the editor has nothing to show for it.
    """
    handler = _REQUESTS.get(what)
    if handler is None:
        raise ValueError(f'unknown live request {what!r}')
    try:
        with editor._Deadline(max(deadline_ms, 1) / 1000.0):
            return handler(env, args, bool(evaluate))
    except (editor._ReprTimeout, RecursionError, Exception):
        return None
