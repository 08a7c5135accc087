"""The IPython magics notebook users type every day, for cells run by Py Contexts.

The notebook controller rewrites ``!cmd``, ``%magic args`` and ``%%magic`` cells into calls
to ``system``, ``line`` and ``cell`` here (src/surfaces/notebook/magics.ts), passing the
cell's ``globals()``, which is the notebook's environment.

Supported: ``!cmd`` (also ``x = !cmd``), ``obj?``/``obj??``, ``%cd``, ``%pwd``, ``%time``, ``%timeit``,
``%pip``, ``%matplotlib`` (always inline here), ``%who``, ``%env``, ``%load_ext autoreload``
with ``%autoreload``, ``%view expr`` (the data viewer; py_contexts/dataview.py), and the cell magics ``%%time``,
``%%timeit``, ``%%capture``, ``%%html``, ``%%markdown``, ``%%svg``, ``%%writefile``,
``%%bash``/``%%sh``. Anything else raises ``UsageError`` naming what is supported, rather
than a puzzling SyntaxError.

``%cd`` and ``%pwd`` work as in IPython: every process (notebook) has a working directory of
its own, which starts in the notebook's folder, and ``%cd`` moves only that notebook. Shell
commands, subprocesses and ``%%writefile`` use it. Where the working directory is shared by the
whole editor (no per-thread directory on the platform), ``%cd`` is refused and shell commands
run in the notebook's folder.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import shlex
import subprocess
import sys
import threading
import time
import re
import timeit as _timeit_module

from py_contexts import threads as _threads
from py_contexts.cells import compile_block

__all__ = ['system', 'line', 'cell', 'UsageError']


class UsageError(Exception):
    """A magic that does not exist here, or was called wrongly."""


def _own_directory() -> bool:
    """Whether os.chdir() here moves only the running process. Outside the editor (a plain
    Python, as in the unit tests) the whole interpreter is that process."""
    try:
        import _py_contexts_native as native
    except ImportError:
        return True
    return bool(native.private_cwd())


def _cwd(ns: dict) -> str | None:
    """Where shell commands run: the process's own directory (None: inherit it), or, where
    the directory is shared by the whole editor, the notebook's folder as Jupyter would."""
    if _own_directory():
        return None
    path = ns.get('__vsc_ipynb_file__')
    if isinstance(path, str) and os.path.isabs(path):
        return os.path.dirname(path)
    return None


def _run(args, ns: dict, capture: bool, shell: bool):
    """Runs a command, streaming its output into the cell as it comes (pip can take a
    while). An interrupt stops the command and is raised in the cell."""
    proc = subprocess.Popen(args, shell=shell, cwd=_cwd(ns), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            errors='replace', bufsize=1)
    lines = []
    try:
        assert proc.stdout is not None
        for out_line in proc.stdout:
            if capture:
                lines.append(out_line.rstrip('\n'))
            else:
                sys.stdout.write(out_line)
        code = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    ns['_exit_code'] = code
    return lines if capture else None


def system(cmd: str, capture: bool, ns: dict):
    """``!cmd`` prints the command's output; ``x = !cmd`` returns its lines."""
    return _run(cmd, ns, capture, shell=True)


def _format_time(seconds: float) -> str:
    if seconds >= 1:
        return f'{seconds:.3g} s'
    for unit, scale in (('ms', 1e3), ('µs', 1e6), ('ns', 1e9)):
        if seconds * scale >= 1:
            return f'{seconds * scale:.3g} {unit}'
    return f'{seconds * 1e9:.3g} ns'


def _caller(depth: int, offset: int = 0) -> tuple[str, int]:
    """The file and line of the frame ``depth`` levels above our caller (the cell's line
    that calls the magic), plus ``offset`` lines."""
    frame = sys._getframe(depth + 1)
    return frame.f_code.co_filename, frame.f_lineno + offset


def _run_block(code: str, ns: dict, at: tuple[str, int]):
    """Runs ``code`` as a cell does, under the cell's file name from line ``at[1]``, so
    tracebacks point at the cell's own lines."""
    body, expr = compile_block(code, at[0], at[1])
    if body is not None:
        exec(body, ns)
    return eval(expr, ns) if expr is not None else None


def _time(code: str, ns: dict, at: tuple[str, int]):
    # IPython's two lines. Its CPU times are the whole process's (getrusage), and so are
    # these: here the process is the editor, so other documents' work counts too.
    wall, start = time.perf_counter(), os.times()
    try:
        value = _run_block(code, ns, at)
    finally:
        end, wall = os.times(), time.perf_counter() - wall
        user, system = end.user - start.user, end.system - start.system
        print(f'CPU times: user {_format_time(user)}, sys: {_format_time(system)}, total: {_format_time(user + system)}\n'
              f'Wall time: {_format_time(wall)}')
    return value


_TIMEIT_OPTION = re.compile(r'^\s*-([nr])\s*(\d+)\s*')


def _timeit_options(text: str) -> tuple[int, int, str]:
    """The two options people use, -n loops per run and -r runs, and the text after them."""
    number, runs = 0, 7
    while (m := _TIMEIT_OPTION.match(text)):
        if m.group(1) == 'n':
            number = int(m.group(2))
        else:
            runs = max(1, int(m.group(2)))
        text = text[m.end():]
    return number, runs, text


def _timeit_cell(args: str, body: str, ns: dict):
    """``%%timeit [-n N] [-r R] [setup]``: the options and the setup statement are on the magic's line."""
    number, runs, setup = _timeit_options(args)
    _timeit(body, ns, setup.strip() or 'pass', number, runs)


def _timeit_line(args: str, ns: dict):
    number, runs, code = _timeit_options(args)
    _timeit(code, ns, 'pass', number, runs)


def _timeit(code: str, ns: dict, setup: str, number: int, runs: int):
    timer = _timeit_module.Timer(code, setup, globals=ns)
    if number <= 0:
        number, _ = timer.autorange()
    per_loop = [t / number for t in timer.repeat(repeat=runs, number=number)]
    mean = sum(per_loop) / runs
    std = math.sqrt(sum((t - mean) ** 2 for t in per_loop) / runs)
    loops = 'loop' if number == 1 else 'loops'
    plural = '' if runs == 1 else 's'
    print(f'{_format_time(mean)} ± {_format_time(std)} per loop (mean ± std. dev. of {runs} run{plural}, {number:,} {loops} each)')


def _pip(args: str, ns: dict):
    _run([sys.executable, '-m', 'pip', *shlex.split(args)], ns, capture=False, shell=False)
    print('Note: you may need to restart the notebook (Py Contexts: Restart) to use updated packages.')


def _cd(args: str, ns: dict):
    """``%cd [-q] [dir | -]``: no dir goes home, ``-`` to the previous directory. The
    directories visited are kept in ``_dh``, as IPython does."""
    if not _own_directory():
        raise UsageError('%cd is not supported here: the working directory is shared by the whole editor '
                         '(no per-thread directory on this platform). Shell commands (!cmd) already run in the '
                         'notebook\'s folder; use paths relative to os.path.dirname(__vsc_ipynb_file__) in Python.')
    rest = args.strip()
    quiet = rest == '-q' or rest.startswith('-q ')
    if quiet:
        rest = rest[2:].strip()
    # As in IPython, the rest of the line is the path (spaces included); quotes are optional.
    if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in '\'"':
        rest = rest[1:-1]
    history = ns.setdefault('_dh', [os.getcwd()])
    if not rest:
        target = os.path.expanduser('~')
    elif rest == '-':
        if len(history) < 2:
            raise UsageError('%cd -: no previous directory')
        target = history[-2]
    else:
        target = os.path.expanduser(rest)
    os.chdir(target)
    here = os.getcwd()
    history.append(here)
    if not quiet:
        print(here)


def _who(args: str, ns: dict):
    names = sorted(k for k in ns if not k.startswith('_') and k != 'display')
    if not names:
        print('Interactive namespace is empty.')
        return
    # IPython's layout, tabs and line breaks included: nine names to a line.
    for i in range(0, len(names), 9):
        print(' '.join(f'{n}\t' for n in names[i:i + 9]), end=' \n')


def _env(args: str, ns: dict):
    if not args:
        return dict(os.environ)
    if '=' in args:
        raise UsageError('%env NAME=value would change the environment of the whole editor process; '
                         'set os.environ in your own subprocess calls instead')
    return os.environ.get(args)


# --------------------------------------------------------------------------- autoreload

_autoreload = {'on': False, 'mtimes': {}}


def _library_dirs() -> tuple[str, ...]:
    import sysconfig
    paths = sysconfig.get_paths()
    dirs = {paths.get('stdlib'), paths.get('platstdlib'), paths.get('purelib'), paths.get('platlib'),
            os.path.dirname(os.path.dirname(__file__))}
    return tuple(os.path.join(d, '') for d in dirs if d)


def _reloadable():
    """The user's own modules: .py files outside the standard library, site-packages,
    dist-packages and Py Contexts itself."""
    skip = _library_dirs()
    for name, module in list(sys.modules.items()):
        path = getattr(module, '__file__', None)
        if not path or not path.endswith('.py') or path.startswith(skip) or \
                'site-packages' in path or 'dist-packages' in path:
            continue
        try:
            yield name, module, os.stat(path).st_mtime
        except OSError:
            continue


def autoreload_check() -> None:
    """Called before each cell (from display.before_cell) once %autoreload is on: reloads
    the user's modules whose file changed since the last cell, like IPython's autoreload.
    Module objects are shared by every environment of the interpreter, so a reload is seen
    by every notebook."""
    if not _autoreload['on']:
        return
    import importlib
    mtimes = _autoreload['mtimes']
    for name, module, mtime in _reloadable():
        seen = mtimes.get(name)
        mtimes[name] = mtime
        if seen is not None and mtime > seen:
            try:
                importlib.reload(module)
            except Exception as exc:  # a broken edit must not stop the cell
                print(f'[autoreload of {name} failed: {type(exc).__name__}: {exc}]', file=sys.stderr)


def _autoreload_magic(args: str, ns: dict):
    mode = args.strip() or 'now'
    if mode in ('0', 'off'):
        _autoreload['on'] = False
    elif mode in ('1', '2', '3', 'all', 'complete', 'explicit'):
        _autoreload['on'] = True
        _autoreload['mtimes'] = {name: mtime for name, _, mtime in _reloadable()}
    elif mode == 'now':
        was = _autoreload['on']
        _autoreload['on'] = True
        autoreload_check()
        _autoreload['on'] = was
    else:
        raise UsageError(f'%autoreload {mode}: use 0, 1, 2 or now')


def _load_ext(args: str, ns: dict):
    if args.strip() != 'autoreload':
        raise UsageError(f'%load_ext {args.strip()}: IPython extensions are not available in Py Contexts '
                         '(autoreload is built in)')


def inspect_object(name: str, detail: bool, ns: dict) -> None:
    """``obj?`` and ``obj??``: the signature and docstring (and source for ``??``)."""
    import inspect
    obj = eval(name, ns)  # a dotted name, checked by the rewrite
    lines = [f'Type:      {type(obj).__name__}']
    try:
        lines.append(f'Signature: {name.rsplit(".", 1)[-1]}{inspect.signature(obj)}')
    except (TypeError, ValueError):
        pass
    if not callable(obj) or isinstance(obj, type):
        lines.append(f'Value:     {reprlib_repr(obj)}')
    doc = inspect.getdoc(obj)
    if doc:
        lines.append('Docstring:\n' + doc)
    if detail:
        try:
            lines.append('Source:\n' + inspect.getsource(obj))
        except (OSError, TypeError):
            pass
    try:
        lines.append(f'File:      {inspect.getfile(obj)}')
    except TypeError:
        pass
    print('\n'.join(lines))


def reprlib_repr(obj) -> str:
    import reprlib
    return reprlib.Repr().repr(obj)


def _view(args: str, ns: dict):
    """``%view df``: opens the value in the data viewer; its Refresh evaluates ``df`` again."""
    expr = args.strip()
    if not expr:
        raise UsageError('%view needs an expression, e.g. %view df')
    from py_contexts import dataview

    dataview.view(eval(expr, ns), expr, _source=('expr', expr))


_LINE = {
    'view': _view,
    'autoreload': _autoreload_magic,
    'load_ext': _load_ext,
    'time': lambda args, ns: _time(args, ns, _caller(2)),
    'timeit': _timeit_line,
    'pip': _pip,
    'matplotlib': lambda args, ns: None,  # figures are always shown inline here
    'who': _who,
    'env': _env,
    'cd': _cd,
    'pwd': lambda args, ns: os.getcwd(),
}


def _display_text(kind: str, text: str):
    from py_contexts import display as d
    d.display({'HTML': d.HTML, 'Markdown': d.Markdown, 'SVG': d.SVG}[kind](text))


def _writefile(args: str, body: str, ns: dict):
    parts = shlex.split(args)
    append = '-a' in parts or '--append' in parts
    paths = [p for p in parts if p not in ('-a', '--append')]
    if len(paths) != 1:
        raise UsageError('usage: %%writefile [-a] path')
    path = paths[0]
    if not os.path.isabs(path) and _cwd(ns):
        path = os.path.join(_cwd(ns), path)
    exists = os.path.exists(path)
    with open(path, 'a' if append else 'w', encoding='utf-8') as f:
        f.write(body if body.endswith('\n') else body + '\n')
    print(f"{'Appending to' if append else ('Overwriting' if exists else 'Writing')} {paths[0]}")


class _ThreadStreams:
    """sys.stdout or sys.stderr while some call runs a ``%%capture`` cell: that call's writes go
    to its buffer, every other call's to the stream underneath. The call's writes are those of
    the thread running the cell and of the threads it started (they share its Run: threads.py),
    as IPython's capture takes every thread's prints while it lasts.

    sys.stdout is shared by every context, so contextlib.redirect_stdout would also take
    other notebooks' prints (and restore the wrong stream when two captures overlap).
    One instance per stream is installed while any capture runs.
    """

    def __init__(self, under):
        self.under = under
        self.buffers: dict[int, io.StringIO] = {}  # thread ident -> buffer
        self.owners: dict[object, io.StringIO] = {}  # threads.Run -> buffer
        self._lock = threading.Lock()

    def _target(self):
        buffer = self.buffers.get(threading.get_ident())
        if buffer is None and self.owners:
            owner = _threads.current_owner()
            if owner is not None:
                buffer = self.owners.get(owner)
        return buffer if buffer is not None else self.under

    def write(self, text):
        target = self._target()
        if target is self.under:
            return target.write(text)
        # The cell's threads write to one StringIO; on free-threaded builds they do so at once,
        # and StringIO is not documented as safe for that.
        with self._lock:
            return target.write(text)

    def flush(self):
        return self._target().flush()

    def __getattr__(self, name):
        return getattr(self.under, name)


_capture_lock = threading.Lock()


def _swap(table: dict, key, buffer):
    """Puts `buffer` under `key` and returns what was there (None: nothing)."""
    previous = table.get(key)
    table[key] = buffer
    return previous


def _restore(table: dict, key, previous):
    if previous is None:
        table.pop(key, None)
    else:
        table[key] = previous


@contextlib.contextmanager
def _captured(name: str, buffer: io.StringIO):
    me = threading.get_ident()
    owner = _threads.current_owner()
    with _capture_lock:
        split = getattr(sys, name)
        if not isinstance(split, _ThreadStreams):
            split = _ThreadStreams(split)
            setattr(sys, name, split)
        previous = _swap(split.buffers, me, buffer)
        previous_owner = _swap(split.owners, owner, buffer) if owner is not None else None
    try:
        yield
    finally:
        with _capture_lock:
            _restore(split.buffers, me, previous)
            if owner is not None:
                _restore(split.owners, owner, previous_owner)
            if not split.buffers and not split.owners and getattr(sys, name) is split:
                setattr(sys, name, split.under)


def _capture(args: str, body: str, ns: dict, at: tuple[str, int]):
    out, err = io.StringIO(), io.StringIO()
    with _captured('stdout', out), _captured('stderr', err):
        _run_block(body, ns, at)
    name = args.split()[0] if args.split() else None
    if name:
        ns[name] = type('CapturedIO', (), {'stdout': out.getvalue(), 'stderr': err.getvalue(),
                                           'show': lambda self: (sys.stdout.write(self.stdout), sys.stderr.write(self.stderr)),
                                           '__repr__': lambda self: '<CapturedIO>'})()


_CELL = {
    'time': lambda args, body, ns: _time(body, ns, _caller(2, 1)),
    'timeit': _timeit_cell,
    'html': lambda args, body, ns: _display_text('HTML', body),
    'markdown': lambda args, body, ns: _display_text('Markdown', body),
    'svg': lambda args, body, ns: _display_text('SVG', body),
    'writefile': _writefile,
    'capture': lambda args, body, ns: _capture(args, body, ns, _caller(2, 1)),
    'bash': lambda args, body, ns: _run(['bash', '-c', body], ns, capture=False, shell=False),
    'sh': lambda args, body, ns: _run(['sh', '-c', body], ns, capture=False, shell=False),
}


def _unsupported(kind: str, name: str, table: dict):
    supported = ', '.join(kind + n for n in sorted(table))
    return UsageError(f'{kind}{name} is not available in Py Contexts notebooks. Supported: {supported}.')


def line(name: str, args: str, ns: dict):
    fn = _LINE.get(name)
    if fn is None:
        raise _unsupported('%', name, _LINE)
    return fn(args, ns)


def cell(name: str, args: str, body: str, ns: dict):
    fn = _CELL.get(name)
    if fn is None:
        raise _unsupported('%%', name, _CELL)
    return fn(args, body, ns)
