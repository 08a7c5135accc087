"""Saving an environment to a file and bringing it back in a new interpreter (issue 12).

A window reload ends the interpreter; what a document built up comes back from a file the
host names (src/processes/persistence.ts decides when and where):

- imported modules are re-imported by name, under the name they had (``np``);
- functions and classes defined in the document are re-defined from their source: the
  engine compiles editor code under the document's file name and registers its text with
  ``linecache``, so the source is at hand; the text of those files is saved too, so
  ``inspect.getsource`` and tracebacks read the same lines after the restore;
- other values are pickled, each on its own, so one value that cannot be pickled (an open
  file, a connection, a generator, a lambda) costs only itself; it is named as not restored.

Nothing of the document runs again but those ``def`` and ``class`` statements (their
decorators and class bodies included). Values are pickled with protocol 5 and out-of-band
buffers, so a 100 MB array is written from its own memory and read back into the memory it
will use, never copied twice; a value that would pass the size budget the host gives is not
written.

File layout: a magic line, then records, each an 8-byte little-endian length and a pickle:
``('source', filename, lines)``, ``('module', name, module_name)``, ``('def', name, kind,
source, filename, first_line)``, ``('value', name, buffer_sizes)`` followed by a record holding the value's pickle and by its
out-of-band buffers (protocol 5), each a bare pickle of a bytearray,
and a final ``('end', not_restored)``.
"""

import ast
import importlib
import linecache
import os
import pickle
import struct
import types

MAGIC = b'PYCTXSTATE1\n'
_LEN = struct.Struct('<Q')
_PROTOCOL = 5
_SKIP = frozenset({'_', 'display', 'In', 'Out', 'get_ipython', 'exit', 'quit'})


def _user_names(env):
    """The names a user made: not dunders, not the engine's helpers."""
    for name, value in list(env.items()):
        if name.startswith('__') or name in _SKIP:
            continue
        if callable(value) and (getattr(value, '__module__', None) or '').startswith('py_contexts'):
            continue
        yield name, value


def _unwrapped(value):
    """A decorated function's own function (functools.wraps, lru_cache), read without
    attribute hooks; the value itself otherwise."""
    seen = 0
    while seen < 20:
        inner = (getattr(value, '__dict__', None) or {}).get('__wrapped__') if not isinstance(value, type) else None
        if inner is None:
            return value
        value, seen = inner, seen + 1
    return value


def _defined_here(value, env_name):
    if getattr(value, '__module__', None) != env_name:
        return False
    return isinstance(value, (types.FunctionType, type)) or isinstance(_unwrapped(value), types.FunctionType)


def _engine_source(filename):
    """The lines of a file the engine registered (mtime None), else of the file on disk."""
    entry = linecache.cache.get(filename)
    if entry is not None and len(entry) == 4:
        return list(entry[2])
    if filename.startswith('<'):
        return None
    lines = linecache.getlines(filename)
    return list(lines) or None


def _class_file_and_line(cls):
    """Where a class was defined: 3.13's ``__firstlineno__`` or the first line of a method's code."""
    first = getattr(cls, '__firstlineno__', None)
    filename = None
    for member in vars(cls).values():
        fn = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
        code = getattr(fn, '__code__', None)
        # Only the class's own methods: generated ones (dataclasses' __init__ from a string,
        # its __repr__ wrapped in the library's code) say nothing about where it was written.
        own = getattr(code, 'co_qualname', None)
        if own is None:
            # 3.10 has no co_qualname. A wrapper (functools.wraps) takes the wrapped method's
            # __qualname__ but keeps its own code, whose co_name gives it away.
            same = getattr(code, 'co_name', None) == getattr(fn, '__name__', None)
            own = getattr(fn, '__qualname__', '') if same else ''
        if code is not None and not code.co_filename.startswith('<') and own.startswith(cls.__qualname__ + '.'):
            filename = code.co_filename
            if first is None:
                first = code.co_firstlineno
            break
    if filename is None:
        # No method to tell: the files the engine ran that define a class of that name.
        for name, entry in list(linecache.cache.items()):
            if len(entry) == 4 and entry[1] is None and not name.startswith('<'):
                node = _def_node(entry[2], cls.__name__, first or 0, (ast.ClassDef,)) if first else None
                if node is not None or (first is None and _has_class(entry[2], cls.__name__)):
                    filename = name
                    first = first or _has_class(entry[2], cls.__name__)
    return filename, first


def _has_class(lines, name):
    """The line of the last top-level class `name` in those lines, or None."""
    try:
        tree = ast.parse(''.join(lines))
    except (SyntaxError, ValueError):
        return None
    found = [n.lineno for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
    return found[-1] if found else None


def _def_node(lines, name, line, kinds):
    """The top-level statement defining `name` that spans `line` (1-based), in those lines."""
    try:
        tree = ast.parse(''.join(lines))
    except (SyntaxError, ValueError):
        return None
    found = None
    for node in tree.body:
        if not isinstance(node, kinds) or node.name != name:
            continue
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        if start <= line <= node.end_lineno:
            found = node
    return found


def _definition(name, value):
    """('def', name, kind, source, filename, first_line), or a reason it cannot be re-defined."""
    if not isinstance(value, type):
        value = _unwrapped(value)
        if value.__name__ != name or value.__name__ == '<lambda>':
            return 'a function without its own definition (a lambda or another name for a function)'
        filename, line = value.__code__.co_filename, value.__code__.co_firstlineno
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
        kind = 'function'
    else:
        if value.__name__ != name:
            return 'another name for a class'
        filename, line = _class_file_and_line(value)
        kinds = (ast.ClassDef,)
        kind = 'class'
    if filename is None or line is None:
        return 'its source is unknown'
    lines = _engine_source(filename)
    node = _def_node(lines, name, line, kinds) if lines else None
    if node is None:
        return 'its source is no longer in the document'
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    source = ''.join(lines[start - 1:node.end_lineno])
    return ('def', name, kind, source, filename, start), lines


class _Writer:
    """Appends records; counts the bytes itself (a seek or tell flushes the buffer)."""

    def __init__(self, f, pos):
        self.f = f
        self.pos = pos

    def record(self, obj):
        self.raw(pickle.dumps(obj, _PROTOCOL))

    def raw(self, blob):
        self.f.write(_LEN.pack(len(blob)))
        self.f.write(blob)
        self.pos += _LEN.size + len(blob)

    def buffer(self, pb):
        """A buffer as a pickle of its own, written from the value's memory. It unpickles as a
        bytearray (bytes when read-only) allocated without being zeroed first, which a
        ``bytearray(n)`` + ``readinto`` would cost (twice the time for a 100 MB array)."""
        pickle.dump(pb, self.f, _PROTOCOL)
        self.pos += _nbytes(pb) + _BUFFER_OVERHEAD


_BUFFER_OVERHEAD = 16  # PROTO, BYTEARRAY8 and its length, STOP


def _nbytes(pb):
    with memoryview(pb) as m:
        return m.nbytes


def _pickled(value):
    """The value as a pickle and its out-of-band buffers (protocol 5): a numpy array's data
    is written from its own memory, never copied into a bytes object first."""
    buffers = []
    meta = pickle.dumps(value, _PROTOCOL, buffer_callback=buffers.append)
    return meta, buffers


def snapshot(env, path, max_bytes):
    """Writes `env` to `path` (atomically) within `max_bytes`.

    Returns {'saved': [names], 'not_restored': [{'name', 'reason'}], 'bytes': size}; a value
    that would pass `max_bytes` is named with the reason 'over the size cap'.
    """
    if not isinstance(path, str) or not path:
        raise TypeError('path must be a non-empty string')
    if not isinstance(max_bytes, (int, float)) or max_bytes < 0:
        raise TypeError('max_bytes must be a number of bytes, 0 or more')
    env_name = env.get('__name__', '__main__')
    saved, not_restored = [], []
    modules, defs, values = [], [], []
    sources = {}
    for name, value in _user_names(env):
        if isinstance(value, types.ModuleType):
            modules.append((name, value.__name__))
        elif _defined_here(value, env_name):
            d = _definition(name, value)
            if isinstance(d, str):
                not_restored.append({'name': name, 'reason': d})
            else:
                record, lines = d
                defs.append(record)
                sources.setdefault(record[4], lines)
        else:
            values.append((name, value))

    tmp = f'{path}.{os.getpid()}.tmp'
    try:
        with open(tmp, 'wb') as f:
            f.write(MAGIC)
            w = _Writer(f, len(MAGIC))
            for filename, lines in sources.items():
                w.record(('source', filename, lines))
            for name, module_name in modules:
                w.record(('module', name, module_name))
                saved.append(name)
            for record in defs:
                w.record(record)
                saved.append(record[1])
            for name, value in values:
                try:
                    meta, buffers = _pickled(value)
                except Exception as e:  # noqa: BLE001 - any failure of pickling names the value
                    not_restored.append({'name': name, 'reason': _reason(e)})
                    continue
                sizes = [_nbytes(b) for b in buffers]
                header = pickle.dumps(('value', name, sizes), _PROTOCOL)
                size = 2 * _LEN.size + len(header) + len(meta) + sum(sizes) + len(buffers) * _BUFFER_OVERHEAD
                # Room is kept for the final record, which names what was left out.
                if w.pos + size + 4096 > max_bytes:
                    not_restored.append({'name': name, 'reason': 'over the size cap'})
                    continue
                w.raw(header)
                w.raw(meta)
                for b in buffers:
                    w.buffer(b)
                saved.append(name)
            w.record(('end', not_restored))
            size = f.tell()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return {'saved': saved, 'not_restored': not_restored, 'bytes': size}


def _reason(e):
    text = str(e).split('\n')[0]
    return f'cannot be pickled ({type(e).__name__}: {text})'[:200]


def _read(f, n):
    blob = f.read(n)
    if len(blob) < n:
        raise EOFError('the saved state is truncated')
    return blob


def _record(f):
    """The next record's bytes, or None at the end of the file."""
    head = f.read(_LEN.size)
    if len(head) < _LEN.size:
        return None
    return _read(f, _LEN.unpack(head)[0])


def _buffer(f):
    buf = pickle.load(f)
    if not isinstance(buf, (bytes, bytearray)):
        raise ValueError('the saved state is damaged (a buffer record holds no bytes)')
    return buf


def restore(env, path):
    """Brings back what `snapshot` wrote to `path` into `env`.

    Names `env` already has are left alone. Returns {'restored': [names], 'not_restored':
    [{'name', 'reason'}]}: what could not be saved, and what failed to come back.
    """
    if not isinstance(path, str) or not path:
        raise TypeError('path must be a non-empty string')
    restored, not_restored = [], []
    with open(path, 'rb') as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise ValueError(f'{path} is not a saved Py Contexts environment')
        while True:
            blob = _record(f)
            if blob is None:
                break
            record = pickle.loads(blob)
            kind, name = record[0], record[1]
            if kind == 'source':
                # The text the functions were defined from, unless this run already has one.
                if name not in linecache.cache:
                    lines = record[2]
                    linecache.cache[name] = (sum(map(len, lines)), None, lines, name)
                continue
            if kind == 'end':
                not_restored.extend(name)
                break
            if kind == 'value':
                meta = _record(f)
                if meta is None:
                    raise EOFError('the saved state is truncated')
                buffers = [_buffer(f) for _ in record[2]]
            if name in env:
                continue
            try:
                if kind == 'module':
                    env[name] = importlib.import_module(record[2])
                elif kind == 'def':
                    _redefine(env, record)
                elif kind == 'value':
                    env[name] = pickle.loads(meta, buffers=buffers)
                else:
                    continue
            except Exception as e:  # noqa: BLE001 - one value that fails costs only itself
                env.pop(name, None)
                text = str(e).split('\n')[0]
                not_restored.append({'name': name, 'reason': f'{type(e).__name__}: {text}'[:200]})
                continue
            restored.append(name)
    return {'restored': restored, 'not_restored': not_restored}


def _redefine(env, record):
    _, name, _kind, source, filename, first_line = record
    tree = ast.parse(source, filename, 'exec')
    ast.increment_lineno(tree, first_line - 1)
    exec(compile(tree, filename, 'exec'), env)
    if name not in env:
        raise NameError(f'the source did not define {name}')
