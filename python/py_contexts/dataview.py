"""Tables for the data viewer (issue 11): paging, sorting, filtering and a summary, in Python.

The viewer (src/surfaces/dataViewer/) never holds a table: it asks for the rows it shows,
``rows(start, count)``, and everything else (sort, filter, per-column summary) runs here, on
the context thread that owns the value. A sort or filter makes an array of row positions
(``View.order``); the data itself is never copied, so a 10-million-row DataFrame opens as
fast as a small one.

Viewable values: pandas DataFrame and Series, numpy 1-D and 2-D arrays, lists of dicts,
lists of tuples (or lists) and dicts of lists. With pandas already imported everything goes
through a DataFrame (``_FrameTable``); without it, plain columns (``_ColumnTable``), so
viewing a list never imports pandas.

Open views live in the environment they came from (``env[VIEWS_KEY]``), so closing or
resetting the document frees them with everything else.

The functions ``open_path``, ``open_value`` and ``request`` are the entry points (runtime.py's
``dataView`` op and ``py_contexts.view``); the classes below are pure and tested on their own
(test/unit/dataview_py.unit.test.ts).
"""

from __future__ import annotations

import itertools
import math
import numbers as numbers_
import sys
from typing import Any

VIEWS_KEY = '__py_contexts_views__'

# Cells are cut to this many characters: a page must stay small whatever the values are.
CELL_CHARS = 500
# Rows one request may ask for (a page of the grid is 100).
MAX_PAGE = 5000
HISTOGRAM_BINS = 20
TOP_VALUES = 3

_ids = itertools.count(1)


# ---------------------------------------------------------------------------
# What can be viewed


def _module_of(value: object) -> str:
    return (getattr(type(value), '__module__', '') or '').split('.')[0]


def _is_ndarray(value: object) -> bool:
    return _module_of(value) == 'numpy' and type(value).__name__ == 'ndarray'


def _is_frame(value: object) -> bool:
    return _module_of(value) == 'pandas' and type(value).__name__ in ('DataFrame', 'Series')


_ROW_TYPES = (dict, tuple, list)


def viewable(value: object) -> bool:
    """Whether the viewer can show `value` as a table. Cheap: looks at types and at most a few items."""
    if _is_frame(value):
        return True
    if _is_ndarray(value):
        return getattr(value, 'ndim', 0) in (1, 2)
    if isinstance(value, list):
        if not value:
            return False
        first = value[0]
        return isinstance(first, dict) or isinstance(first, tuple) or (isinstance(first, list) and isinstance(value[-1], list))
    if isinstance(value, dict) and value:
        return all(_is_column(v) for v in itertools.islice(value.values(), 8))
    return False


def _is_column(value: object) -> bool:
    return isinstance(value, (list, tuple, range)) or (_is_ndarray(value) and getattr(value, 'ndim', 0) == 1) or (
        _module_of(value) == 'pandas' and type(value).__name__ == 'Series')


def kind_of(value: object) -> str:
    """A short name for the header: 'DataFrame', 'Series', 'ndarray', 'list of dicts'…"""
    if _is_frame(value) or _is_ndarray(value):
        return type(value).__name__
    if isinstance(value, list):
        return f'list of {type(value[0]).__name__}s' if value else 'list'
    return 'dict of lists'


def table_of(value: object) -> Any:
    """A table over `value` (no copy of a DataFrame or array); TypeError for anything else."""
    if not viewable(value):
        raise TypeError(f'the data viewer shows DataFrames, Series, 1-D/2-D arrays, lists of dicts or tuples '
                        f'and dicts of lists, not {type(value).__name__}')
    pd = sys.modules.get('pandas')
    if _is_frame(value):
        return _FrameTable(value if type(value).__name__ == 'DataFrame' else value.to_frame(), value)
    if pd is not None:
        return _FrameTable(_to_frame(pd, value), value)
    return _ColumnTable(*_columns_of(value))


def _to_frame(pd: Any, value: object) -> Any:
    if _is_ndarray(value):
        # A 2-D array of one dtype becomes a frame over the same memory (no copy).
        return pd.DataFrame(value if value.ndim == 2 else value.reshape(-1, 1), copy=False)  # type: ignore[attr-defined]
    if isinstance(value, dict):
        return pd.DataFrame(value)
    first = value[0]  # type: ignore[index]
    if isinstance(first, dict):
        return pd.DataFrame.from_records(value)
    return pd.DataFrame(list(value))  # type: ignore[arg-type]


def _columns_of(value: object) -> tuple[list[str], list[Any]]:
    """(names, column sequences) without pandas."""
    if _is_ndarray(value):
        arr: Any = value
        if arr.ndim == 1:
            return ['0'], [arr]
        return [str(j) for j in range(arr.shape[1])], [arr[:, j] for j in range(arr.shape[1])]
    if isinstance(value, dict):
        names = [str(k) for k in value]
        cols = [list(v) if not isinstance(v, (list, tuple)) and not _is_ndarray(v) else v for v in value.values()]
        n = max((len(c) for c in cols), default=0)
        # Ragged columns are padded with None, as pandas would refuse them.
        return names, [c if len(c) == n else list(c) + [None] * (n - len(c)) for c in cols]
    rows: list[Any] = value  # type: ignore[assignment]
    if isinstance(rows[0], dict):
        keys: dict[object, None] = {}
        for r in rows:
            if isinstance(r, dict):
                keys.update(dict.fromkeys(r))
        return [str(k) for k in keys], [[r.get(k) if isinstance(r, dict) else None for r in rows] for k in keys]
    width = max((len(r) for r in rows if isinstance(r, (tuple, list))), default=0)
    return [str(j) for j in range(width)], [
        [r[j] if isinstance(r, (tuple, list)) and j < len(r) else None for r in rows] for j in range(width)]


# ---------------------------------------------------------------------------
# Cells


def _is_missing(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    try:
        return bool(v != v) if type(v).__name__ in ('NaTType', 'NAType', 'float64', 'float32') else False
    except Exception:
        return False


def cell(v: object) -> object:
    """A value as it crosses to the grid: numbers and booleans as they are, missing as None,
    anything else as bounded text."""
    if v is None or isinstance(v, (bool, int, str)):
        if isinstance(v, str) and len(v) > CELL_CHARS:
            return v[:CELL_CHARS - 1] + '…'
        return v
    if isinstance(v, float):
        return None if v != v else v
    if _is_missing(v):
        return None
    item = getattr(v, 'item', None)  # numpy scalars
    if item is not None and _module_of(v) == 'numpy':
        try:
            return cell(item())
        except Exception:
            pass
    try:
        text = str(v)
    except Exception as e:  # a broken __str__ is the value's problem
        text = f'<str failed: {type(e).__name__}>'
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + '…'


# ---------------------------------------------------------------------------
# Filters: clauses made by src/surfaces/dataViewer/query.ts from the grid's filter model
#   {column, join: 'and'|'or', conditions: [{type, filter?, filterTo?}]}

_TEXT_TYPES = {'contains', 'notContains', 'equals', 'notEqual', 'startsWith', 'endsWith', 'blank', 'notBlank'}
_NUMBER_TYPES = {'equals', 'notEqual', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual',
                 'inRange', 'blank', 'notBlank'}


def _check_condition(c: dict) -> None:
    t = c.get('type')
    if t not in _TEXT_TYPES and t not in _NUMBER_TYPES:
        raise ValueError(f'unknown filter type {t!r}')


def _text_test(t: str, needle: str) -> Any:
    needle = needle.lower()
    if t == 'contains':
        return lambda s: needle in s
    if t == 'notContains':
        return lambda s: needle not in s
    if t == 'equals':
        return lambda s: s == needle
    if t == 'notEqual':
        return lambda s: s != needle
    if t == 'startsWith':
        return lambda s: s.startswith(needle)
    return lambda s: s.endswith(needle)


def _number_test(c: dict) -> Any:
    t, a, b = c['type'], c.get('filter'), c.get('filterTo')
    tests = {
        'equals': lambda x: x == a, 'notEqual': lambda x: x != a, 'lessThan': lambda x: x < a,
        'lessThanOrEqual': lambda x: x <= a, 'greaterThan': lambda x: x > a, 'greaterThanOrEqual': lambda x: x >= a,
        'inRange': lambda x: a <= x <= b,
    }
    return tests[t]


def condition_test(c: dict) -> Any:
    """A predicate on one cell value for a condition (the pure-Python path)."""
    _check_condition(c)
    t = c['type']
    if t == 'blank':
        return _is_missing_or_empty
    if t == 'notBlank':
        return lambda v: not _is_missing_or_empty(v)
    if isinstance(c.get('filter'), (int, float)) and t in _NUMBER_TYPES:
        test = _number_test(c)

        def number(v: object) -> bool:
            try:
                return not _is_missing(v) and bool(test(v))
            except TypeError:
                return False
        return number
    text = _text_test(t, str(c.get('filter', '')))
    return lambda v: not _is_missing(v) and text(str(v).lower())


def _is_missing_or_empty(v: object) -> bool:
    return _is_missing(v) or v == ''


# ---------------------------------------------------------------------------
# Tables: one interface, two implementations


class _FrameTable:
    """A pandas DataFrame, read by position (duplicate or non-string column names are fine)."""

    def __init__(self, frame: Any, original: object) -> None:
        import numpy as np

        self.np = np
        self.frame = frame
        self.original = original
        self.names = [_name(c) for c in frame.columns]
        self.n = len(frame)
        self.index_name = _name(frame.index.name) if frame.index.name is not None else ''

    def shape(self) -> list[int]:
        return list(getattr(self.original, 'shape', (self.n, len(self.names))))

    def dtypes(self) -> list[str]:
        return [str(t) for t in self.frame.dtypes]

    def numeric(self) -> list[bool]:
        return [t.kind in 'iuf' for t in self.frame.dtypes]

    def page(self, positions: Any) -> list[list[object]]:
        f = self.frame
        index = [cell(v) for v in f.index[positions]]
        cols = []
        for j, t in enumerate(f.dtypes):
            values = f.iloc[positions, j]
            if t.kind in 'iub':
                cols.append(values.tolist())
            elif t.kind == 'f':
                cols.append([None if v != v else v for v in values.tolist()])
            else:
                cols.append([cell(v) for v in values.tolist()])
        return [list(r) for r in zip(index, *cols)]

    def column(self, j: int, positions: Any) -> Any:
        s = self.frame.iloc[:, j]
        return s if positions is None else s.iloc[positions]

    def sort_order(self, j: int, ascending: bool, positions: Any) -> Any:
        s = self.column(j, positions)
        if s.dtype.kind in 'iufb':
            order = stable_argsort(self.np, s.to_numpy(), ascending)
            return order if positions is None else positions[order]
        s = s.reset_index(drop=True)
        try:
            order = s.sort_values(ascending=ascending, kind='stable', na_position='last').index.to_numpy()
        except TypeError:  # mixed types in an object column: sort by their text
            order = s.astype(str).sort_values(ascending=ascending, kind='stable').index.to_numpy()
        return order if positions is None else positions[order]

    def mask(self, clause: dict, positions: Any) -> Any:
        s = self.column(clause['column'], positions)
        join_and = clause.get('join', 'and') != 'or'
        result = None
        for c in clause['conditions']:
            m = self._condition_mask(s, c)
            result = m if result is None else (result & m if join_and else result | m)
        return result

    def _condition_mask(self, s: Any, c: dict) -> Any:
        _check_condition(c)
        t = c['type']
        if t in ('blank', 'notBlank'):
            m = s.isna()
            if s.dtype.kind == 'O':
                m = m | (s.astype(str) == '')
            m = m.to_numpy()
            return m if t == 'blank' else ~m
        a = c.get('filter')
        if s.dtype.kind in 'iuf' and isinstance(a, (int, float)) and t in _NUMBER_TYPES:
            b = c.get('filterTo')
            v = s.to_numpy()
            with self.np.errstate(invalid='ignore'):
                ops = {
                    'equals': lambda: v == a, 'notEqual': lambda: (v != a) & ~self.np.isnan(v) if v.dtype.kind == 'f' else v != a,
                    'lessThan': lambda: v < a, 'lessThanOrEqual': lambda: v <= a, 'greaterThan': lambda: v > a,
                    'greaterThanOrEqual': lambda: v >= a, 'inRange': lambda: (v >= a) & (v <= b),
                }
                return ops[t]()
        text = s.astype(str).str.lower()
        needle = str(a if a is not None else '').lower()
        missing = s.isna().to_numpy()
        if t == 'contains':
            m = text.str.contains(needle, regex=False)
        elif t == 'notContains':
            m = ~text.str.contains(needle, regex=False)
        elif t == 'startsWith':
            m = text.str.startswith(needle)
        elif t == 'endsWith':
            m = text.str.endswith(needle)
        elif t == 'notEqual':
            m = text != needle
        else:
            m = text == needle
        return m.to_numpy() & ~missing

    def filter_positions(self, clauses: list[dict]) -> Any:
        mask = None
        for clause in clauses:
            m = self.mask(clause, None)
            mask = m if mask is None else mask & m
        return self.np.flatnonzero(mask)

    def take(self, positions: Any, start: int, stop: int) -> Any:
        if positions is None:
            return self.np.arange(start, stop)
        return positions[start:stop]

    def summary(self, j: int, positions: Any) -> dict:
        s = self.column(j, positions)
        np = self.np
        out: dict[str, object] = {'name': self.names[j], 'dtype': str(s.dtype)}
        count = int(s.count())
        out['count'] = count
        out['missing'] = int(len(s) - count)
        kind = s.dtype.kind
        if kind in 'iuf' and count > 0:
            v = s.to_numpy()
            if kind == 'f':
                v = v[~np.isnan(v)]
            v = v[np.isfinite(v)] if kind == 'f' else v
            if len(v):
                lo, hi = v.min(), v.max()
                out.update(min=cell(lo), max=cell(hi), mean=float(v.mean(dtype='float64')))
                counts, edges = np.histogram(v, bins=HISTOGRAM_BINS if hi > lo else 1)
                out['histogram'] = {'counts': counts.tolist(), 'min': float(edges[0]), 'max': float(edges[-1])}
        elif count > 0:
            if kind == 'M' or kind == 'm':
                out.update(min=cell(s.min()), max=cell(s.max()))
            try:
                top = s.value_counts(dropna=True).head(TOP_VALUES)
                out['unique'] = int(s.nunique(dropna=True))
                out['top'] = [[cell(k), int(n)] for k, n in top.items()]
            except TypeError:  # unhashable cells (lists, dicts)
                pass
        return out


class _ColumnTable:
    """Plain columns (sequences of equal length), for when pandas is not imported."""

    def __init__(self, names: list[str], columns: list[Any]) -> None:
        self.names = names
        self.columns = columns
        self.n = len(columns[0]) if columns else 0
        self.index_name = ''

    def shape(self) -> list[int]:
        return [self.n, len(self.names)]

    def _types(self, col: Any) -> set[str]:
        seen: set[str] = set()
        for v in itertools.islice((v for v in col if not _is_missing(v)), 100):
            seen.add(type(v).__name__)
        return seen

    def dtypes(self) -> list[str]:
        out = []
        for col in self.columns:
            dtype = getattr(col, 'dtype', None)
            if dtype is not None:
                out.append(str(dtype))
                continue
            t = self._types(col)
            out.append(t.pop() if len(t) == 1 else 'object')
        return out

    def numeric(self) -> list[bool]:
        return [d in ('int', 'float') or (len(d) > 3 and d[:3] in ('int', 'flo', 'uin')) for d in self.dtypes()]

    def page(self, positions: Any) -> list[list[object]]:
        return [[p] + [cell(col[p]) for col in self.columns] for p in positions]

    def sort_order(self, j: int, ascending: bool, positions: Any) -> Any:
        col = self.columns[j]
        rows = list(range(self.n)) if positions is None else list(positions)
        present = [p for p in rows if not _is_missing(col[p])]
        missing = [p for p in rows if _is_missing(col[p])]
        try:
            present.sort(key=col.__getitem__, reverse=not ascending)
        except TypeError:
            present.sort(key=lambda p: str(col[p]), reverse=not ascending)
        return present + missing

    def filter_positions(self, clauses: list[dict]) -> Any:
        rows = range(self.n)
        kept = list(rows)
        for clause in clauses:
            col = self.columns[clause['column']]
            tests = [condition_test(c) for c in clause['conditions']]
            combine = any if clause.get('join') == 'or' else all
            kept = [p for p in kept if combine(t(col[p]) for t in tests)]
        return kept

    def take(self, positions: Any, start: int, stop: int) -> Any:
        return range(start, stop) if positions is None else positions[start:stop]

    def summary(self, j: int, positions: Any) -> dict:
        col = self.columns[j]
        values = [col[p] for p in (range(self.n) if positions is None else positions)]
        present = [v for v in values if not _is_missing(v)]
        out: dict[str, object] = {'name': self.names[j], 'dtype': self.dtypes()[j], 'count': len(present),
                                  'missing': len(values) - len(present)}
        numbers = [float(v) for v in present if isinstance(v, numbers_.Real) and not isinstance(v, bool)
                   and math.isfinite(v)]
        if present and len(numbers) == len(present):
            lo, hi = min(numbers), max(numbers)
            out.update(min=cell(min(present)), max=cell(max(present)), mean=math.fsum(numbers) / len(numbers))
            out['histogram'] = {'counts': histogram(numbers, lo, hi), 'min': lo, 'max': hi}
        elif present:
            counts: dict[object, int] = {}
            try:
                for v in present:
                    counts[v] = counts.get(v, 0) + 1
            except TypeError:
                return out
            out['unique'] = len(counts)
            out['top'] = [[cell(k), n] for k, n in sorted(counts.items(), key=lambda kv: -kv[1])[:TOP_VALUES]]
        return out


def stable_argsort(np: Any, v: Any, ascending: bool) -> Any:
    """Positions that sort the numeric array `v`, equal values in their original order and NaN
    last in both directions (pandas' sort_values(kind='stable', na_position='last'))."""
    nan = np.isnan(v) if v.dtype.kind == 'f' else None
    if nan is not None and nan.any():
        present = np.flatnonzero(~nan)
        return np.concatenate([present[stable_argsort(np, v[present], ascending)], np.flatnonzero(nan)])
    if ascending:
        return np.argsort(v, kind='stable')
    n = len(v)
    return (n - 1 - np.argsort(v[::-1], kind='stable'))[::-1]


def histogram(values: list[float], lo: float, hi: float, bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts of `values` in `bins` equal bins over [lo, hi] (the last bin closed), as numpy does."""
    if hi <= lo:
        return [len(values)]
    counts = [0] * bins
    width = (hi - lo) / bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return counts


def _name(label: object) -> str:
    if isinstance(label, tuple):
        return ' / '.join(str(p) for p in label)
    return str(label)


# ---------------------------------------------------------------------------
# Views


class View:
    """One open viewer: where its value comes from, the table, and the current sort and filter.

    `source` is how Refresh finds the value again: ('path', tokens) for a variable (the tree's
    paths, py_contexts/editor.py), ('expr', text) for ``%view expr``, ('object', value) for
    ``py_contexts.view(value)``.
    """

    def __init__(self, source: tuple[str, Any], title: str, env: dict) -> None:
        self.id = next(_ids)
        self.source = source
        self.title = title
        self.sort: dict | None = None
        self.filters: list[dict] = []
        self.table: Any = None
        self.kind = ''
        self.order: Any = None  # row positions after filter and sort; None: all, in order
        self.load(env)

    def load(self, env: dict) -> None:
        value = resolve(env, self.source)
        self.table = table_of(value)
        self.kind = kind_of(value)
        self._apply()

    def _apply(self) -> None:
        t = self.table
        ncols = len(t.names)
        for clause in self.filters:
            if not (isinstance(clause.get('column'), int) and 0 <= clause['column'] < ncols):
                raise ValueError(f"filter column {clause.get('column')!r} is out of range")
        positions = t.filter_positions(self.filters) if self.filters else None
        if self.sort is not None:
            j = self.sort['column']
            if not (isinstance(j, int) and 0 <= j < ncols):
                raise ValueError(f'sort column {j!r} is out of range')
            positions = t.sort_order(j, self.sort.get('ascending', True) is not False, positions)
        self.order = positions

    @property
    def row_count(self) -> int:
        return self.table.n if self.order is None else len(self.order)

    def meta(self) -> dict:
        t = self.table
        return {
            'id': self.id, 'title': self.title, 'kind': self.kind, 'shape': t.shape(), 'rows': self.row_count,
            'totalRows': t.n,
            'indexName': t.index_name,
            'columns': [{'name': n, 'dtype': d, 'numeric': num} for n, d, num in zip(t.names, t.dtypes(), t.numeric())],
            'sort': self.sort, 'filters': self.filters,
        }

    def rows(self, start: int, count: int) -> dict:
        start = max(0, int(start))
        stop = min(self.row_count, start + max(0, min(int(count), MAX_PAGE)))
        if stop <= start:
            return {'start': start, 'rows': [], 'total': self.row_count}
        positions = self.table.take(self.order, start, stop)
        return {'start': start, 'rows': self.table.page(positions), 'total': self.row_count}

    def query(self, sort: dict | None, filters: list[dict] | None) -> dict:
        old = (self.sort, self.filters, self.order)
        self.sort, self.filters = sort, list(filters or [])
        try:
            self._apply()
        except BaseException:
            self.sort, self.filters, self.order = old
            raise
        return self.meta()

    def summary(self, columns: list[int] | None = None) -> list[dict]:
        t = self.table
        wanted = range(len(t.names)) if columns is None else columns
        return [t.summary(j, self.order) for j in wanted]


def resolve(env: dict, source: tuple[str, Any]) -> object:
    how, what = source
    if how == 'object':
        return what
    if how == 'expr':
        return eval(what, env)
    from py_contexts import editor

    value: object = env[what[0]]
    for token in what[1:]:
        value = editor._step(value, token)
    return value


def _views(env: dict) -> dict[int, View]:
    views = env.get(VIEWS_KEY)
    if not isinstance(views, dict):
        views = env[VIEWS_KEY] = {}
    return views


def open_source(env: dict, source: tuple[str, Any], title: str) -> View:
    view = View(source, title, env)
    _views(env)[view.id] = view
    return view


def request(env: dict, cmd: str, args: list) -> object:
    """The ``dataView`` op: ``open`` (a variable path) or a command on an open view."""
    if cmd == 'open':
        path, title = args
        if not isinstance(path, list) or not path:
            raise TypeError('path must be a non-empty list of names')
        return open_source(env, ('path', [str(p) for p in path]), str(title)).meta()
    view_id = args[0]
    views = _views(env)
    if cmd == 'close':
        return views.pop(view_id, None) is not None
    view = views.get(view_id)
    if view is None:
        raise KeyError(f'no open data view {view_id} in this environment (it was closed or the environment was reset)')
    if cmd == 'meta':
        return view.meta()
    if cmd == 'refresh':
        view.load(env)
        return view.meta()
    if cmd == 'rows':
        return view.rows(args[1], args[2])
    if cmd == 'query':
        return view.query(args[1], args[2])
    if cmd == 'summary':
        return view.summary(args[1] if len(args) > 1 else None)
    raise ValueError(f'unknown data view command {cmd!r}')


def view(obj: object, title: str | None = None, *, _source: tuple[str, Any] | None = None) -> None:
    """``py_contexts.view(obj)``: opens `obj` in the data viewer, in an editor tab.

    The viewer reads rows from this environment as it scrolls; its Refresh reads `obj` again.
    Outside VS Code there is no viewer: NameError, as for the other ``vscode`` functions.
    """
    import _py_contexts_native as native

    from py_contexts import host, threads

    env = threads.current_env()
    process = threads.process_key()
    if env is None or process is None:
        raise RuntimeError('py_contexts.view() must be called from code run by Py Contexts')
    if not viewable(obj):
        table_of(obj)  # raises the TypeError that says what can be viewed
    name = title if title is not None else (_source[1] if _source and _source[0] == 'expr' else kind_of(obj))
    v = open_source(env, _source or ('object', obj), str(name))
    try:
        host.call('vscode.dataViewer.open', {'process': process, 'context': native.context_id(), 'view': v.id,
                                             'title': v.title})
    except BaseException:
        _views(env).pop(v.id, None)
        raise
