"""Rich display for notebook cells: MIME bundles, ``display()``, and matplotlib figures.

The engine's runtime (``py_contexts.runtime``) calls into this module:

* ``mime_bundle(obj)`` turns the value of a cell's trailing expression into a MIME bundle
  ``{'data': {...}, 'metadata': {...}}`` the way IPython's display formatter does;
* ``display(*objs)`` is installed as the builtin-like name ``display`` in every environment;
  each bundle goes to ``_py_contexts_native.emit_display`` (a C function of the addon) which
  streams it to the JavaScript ``onDisplay`` callback of the running call;
* ``before_cell()`` / ``after_cell()`` run around every rich run. After a cell, the
  matplotlib figures it created are sent as ``image/png`` and closed, like IPython's inline
  backend.

Nothing here may raise into user code because of a broken ``_repr_*_`` method: display is a
convenience, and a failing representation is skipped rather than failing the cell.

Import-time side effects are limited to one import hook (see ``_ImportHook``) so that this
module never imports matplotlib or IPython itself: a cell that never touches them pays
nothing for them.
"""

from __future__ import annotations

import base64
import importlib.abc
import importlib.machinery
import io
import json
import pprint
import sys
import threading
import types

from py_contexts._imports import spec_from_other_finders

__all__ = [
    'mime_bundle', 'display', 'update_display', 'clear_output', 'before_cell', 'after_cell',
    'HTML', 'Markdown', 'SVG', 'Latex', 'JSON', 'Image', 'DisplayHandle',
]

#: Longest ``text/plain`` we send. A repr of a huge object would otherwise travel to the
#: window in one piece and freeze it; the head is what a reader looks at anyway.
MAX_PLAIN_CHARS = 200_000

#: ``_repr_*_`` methods and the MIME type each one produces, in IPython's order.
_REPR_METHODS = (
    ('text/html', '_repr_html_'),
    ('text/markdown', '_repr_markdown_'),
    ('image/svg+xml', '_repr_svg_'),
    ('image/png', '_repr_png_'),
    ('image/jpeg', '_repr_jpeg_'),
    ('text/latex', '_repr_latex_'),
    ('application/json', '_repr_json_'),
)

_BINARY_MIMES = frozenset(('image/png', 'image/jpeg', 'image/gif', 'application/pdf'))

#: Containers small enough to be pretty-printed: pprint walks the whole value, and a
#: million-item list must not stall the cell on its way out.
_PPRINT_MAX_ITEMS = 2_000


# --------------------------------------------------------------------------- MIME bundles

def _truncate(text: str) -> str:
    if len(text) <= MAX_PLAIN_CHARS:
        return text
    hidden = len(text) - MAX_PLAIN_CHARS
    return text[:MAX_PLAIN_CHARS] + f'\n… [{hidden:,} more characters not shown]'


def _plain_text(obj: object) -> str:
    try:
        if type(obj) in (dict, list, tuple, set, frozenset) and len(obj) <= _PPRINT_MAX_ITEMS:  # type: ignore[arg-type]
            text = pprint.pformat(obj, width=100, sort_dicts=False)
        else:
            text = repr(obj)
        if not isinstance(text, str):
            raise TypeError(f'__repr__ returned {type(text).__name__}')
    except Exception as exc:  # a broken __repr__ still leaves something to show
        text = f'<{type(obj).__qualname__} object at {id(obj):#x} (repr failed: {type(exc).__name__}: {exc})>'
    return _truncate(text)


def _normalize(mime: str, value: object) -> object:
    """Brings one representation into the JSON-able form Jupyter stores, or returns None
    when the value cannot be sent (which skips that MIME type)."""
    if value is None:
        return None
    if mime in _BINARY_MIMES:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode('ascii')
        if isinstance(value, str):
            return value  # IPython treats a str here as base64 already
        return None
    if mime == 'application/json' or mime.endswith('+json'):
        if isinstance(value, (str, bytes)):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return None
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode('utf-8', 'replace')
    if isinstance(value, str):
        return value
    # Non-standard MIME types from _repr_mimebundle_ (plotly, vega, widgets) are usually
    # dicts; keep anything JSON can carry.
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return None
    return value


def _split(result: object) -> tuple[object, object]:
    """A ``_repr_*_`` method may return ``value`` or ``(value, metadata)``."""
    if isinstance(result, tuple) and len(result) == 2:
        return result[0], result[1]
    return result, None


def _call_quietly(method, *args, **kwargs):
    try:
        return method(*args, **kwargs)
    except Exception:
        return None


def _is_figure(obj: object) -> bool:
    return type(obj).__module__.startswith('matplotlib.figure') and hasattr(obj, 'savefig')


#: IPython's DisplayFormatter when we made one (no IPython shell runs), and whether IPython
#: failed to import (only our shim is there), so that is tried once.
_own_formatter = None
_no_ipython = False


def _ipython_formatter(obj: object):
    """IPython's DisplayFormatter, to format ``obj`` as IPython would, or None for ours.

    The shell's formatter when a shell runs (its registered formatters included), else one
    made from IPython.core.formatters (formatters registered on it with ``for_type`` apply).
    IPython is consulted when it is already imported, or when ``obj`` asks for it
    (``_ipython_display_``, ``_repr_pretty_``): importing it for every value would cost a
    cell that never uses it a third of a second.
    """
    global _own_formatter, _no_ipython
    ipython = sys.modules.get('IPython')
    if ipython is None:
        if _no_ipython or not (_has_attr(obj, '_ipython_display_') or _has_attr(obj, '_repr_pretty_')):
            return None
        try:
            import IPython as ipython
        except Exception:
            _no_ipython = True
            return None
    if getattr(ipython, '__py_contexts_shim__', False):
        _no_ipython = True
        return None
    try:
        get = getattr(ipython, 'get_ipython', None)
        shell = get() if callable(get) else None
        shell_formatter = getattr(shell, 'display_formatter', None)
        if shell_formatter is not None:
            return shell_formatter
        if _own_formatter is None:
            from IPython.core.formatters import DisplayFormatter
            _own_formatter = DisplayFormatter()
        return _own_formatter
    except Exception:
        return None


def _ipython_bundle(obj: object) -> dict | None:
    """``obj`` formatted by IPython: a bundle (empty when ``_ipython_display_`` showed the
    object itself), or None when IPython is not consulted or failed (ours is used then)."""
    if isinstance(obj, type):
        return None
    formatter = _ipython_formatter(obj)
    if formatter is None:
        return None
    try:
        raw, raw_md = formatter.format(obj)
    except Exception:
        return None
    if not raw and not raw_md:
        # _ipython_display_ displayed the object (through IPython.display.display, which is
        # ours) and left nothing more to show.
        return {'data': {}, 'metadata': {}} if _has_attr(obj, '_ipython_display_') else None
    data = {}
    for mime, rep in (raw or {}).items():
        rep = _normalize(str(mime), rep)
        if rep is not None:
            data[str(mime)] = rep
    metadata = dict(raw_md) if isinstance(raw_md, dict) else {}
    _add_figure(obj, data)
    plain = data.get('text/plain')
    data['text/plain'] = _truncate(plain) if isinstance(plain, str) else _plain_text(obj)
    return {'data': data, 'metadata': metadata}


def _add_figure(obj: object, data: dict) -> None:
    # A figure the cell already showed (plt.show(), or after_cell() when the runtime
    # calls it before asking for the value) is represented by its text alone, so the
    # picture never appears twice.
    if _is_figure(obj) and 'image/png' not in data and not _shown_in_this_cell(obj):
        png = _figure_png(obj)
        if png is not None:
            data['image/png'] = png
            # The figure is on screen now; after_cell must not send it a second time.
            _mark_shown(obj)


def mime_bundle(obj: object) -> dict:
    """The MIME bundle of ``obj``: ``{'data': {mime: value}, 'metadata': {mime: {...}}}``.

    IPython's formatters make it when IPython is there (``_ipython_formatter``), ours
    otherwise. ``text/plain`` is always present, except in the empty bundle of an object
    that displayed itself (``_ipython_display_``). Never raises.
    """
    bundle = _ipython_bundle(obj)
    if bundle is not None:
        return bundle
    data: dict = {}
    metadata: dict = {}
    # A class has the _repr_*_ functions of its instances as plain attributes; calling them
    # unbound would fail or, worse, succeed with nonsense. IPython skips them too.
    if not isinstance(obj, type):
        if _has_attr(obj, '_ipython_display_'):
            # Without IPython the object shows itself too, through IPython.display (our shim).
            method = getattr(obj, '_ipython_display_', None)
            if callable(method) and _call_quietly(lambda: (method(), True)[1]):
                return {'data': {}, 'metadata': {}}
        bundle_method = getattr(obj, '_repr_mimebundle_', None) if _has_attr(obj, '_repr_mimebundle_') else None
        if callable(bundle_method):
            result = _call_quietly(bundle_method, include=None, exclude=None)
            if result is None:
                result = _call_quietly(bundle_method)
            value, md = _split(result)
            if isinstance(value, dict):
                for mime, rep in value.items():
                    rep = _normalize(str(mime), rep)
                    if rep is not None:
                        data[str(mime)] = rep
            if isinstance(md, dict):
                metadata.update(md)
        for mime, name in _REPR_METHODS:
            if mime in data or not _has_attr(obj, name):
                continue
            method = getattr(obj, name, None)
            if not callable(method):
                continue
            value, md = _split(_call_quietly(method))
            rep = _normalize(mime, value)
            if rep is None:
                continue
            data[mime] = rep
            if isinstance(md, dict) and md:
                metadata[mime] = md
        _add_figure(obj, data)
    if 'text/plain' not in data:
        data['text/plain'] = _plain_text(obj)
    elif not isinstance(data['text/plain'], str):
        data['text/plain'] = _plain_text(obj)
    return {'data': data, 'metadata': metadata}


def _has_attr(obj: object, name: str) -> bool:
    # getattr on some proxies (e.g. a __getattr__ that invents attributes) returns junk
    # for every name; asking the type first keeps those objects to text/plain.
    try:
        return hasattr(type(obj), name) or name in getattr(obj, '__dict__', {})
    except Exception:
        return False


# --------------------------------------------------------------------------- display()

def _emit(bundle: dict) -> None:
    try:
        import _py_contexts_native  # provided by the addon while a rich call runs
    except ImportError:
        # Outside the engine (plain python, tests of user code) fall back to text, which is
        # what IPython's display does without a running shell.
        print(bundle['data'].get('text/plain', ''))
        return
    _py_contexts_native.emit_display(bundle)


#: Metadata key of the bundles that carry instructions for the notebook controller rather
#: than (only) data: {'clear': True, 'wait': bool} for clear_output(), and
#: {'display_id': str, 'update': bool} for outputs that can be replaced later. The
#: controller removes it before the output is stored (src/surfaces/notebook/streams.ts).
CONTROL_KEY = '__py_contexts__'


class DisplayHandle:
    """What ``display(..., display_id=...)`` returns: ``update(obj)`` replaces that output
    in place (while the cell that showed it runs), like IPython's handle."""

    def __init__(self, display_id: object = None) -> None:
        import uuid
        self.display_id = uuid.uuid4().hex if display_id is None else str(display_id)

    def display(self, obj: object, **kwargs) -> None:
        display(obj, display_id=self.display_id, **kwargs)

    def update(self, obj: object, **kwargs) -> None:
        update_display(obj, display_id=self.display_id, **kwargs)

    def __repr__(self) -> str:
        return f'<DisplayHandle display_id={self.display_id}>'


def _bundle_for(obj, raw: bool, include, exclude, metadata) -> dict | None:
    if raw:
        if not isinstance(obj, dict):
            raise TypeError('display(raw=True) expects MIME bundle dicts')
        bundle = {'data': {k: v for k, v in ((str(m), _normalize(str(m), r)) for m, r in obj.items()) if v is not None},
                  'metadata': {}}
        if 'text/plain' not in bundle['data']:
            bundle['data']['text/plain'] = ''
    else:
        bundle = mime_bundle(obj)
    if include is not None:
        bundle['data'] = {k: v for k, v in bundle['data'].items() if k in include}
    if exclude is not None:
        bundle['data'] = {k: v for k, v in bundle['data'].items() if k not in exclude}
    if not bundle['data']:
        return None
    if metadata:
        bundle['metadata'] = {**bundle['metadata'], **metadata}
    return bundle


def display(*objs, include=None, exclude=None, metadata=None, transient=None,
            display_id=None, raw=False, clear=False, **kwargs):
    """Shows each object as a rich output of the running cell, like IPython's ``display``.

    ``raw=True`` means each object already is a MIME data dict. ``include``/``exclude``
    filter MIME types; ``metadata`` is merged into each bundle's metadata. With
    ``display_id`` (``True`` for a new one) it returns a DisplayHandle whose ``update()``
    replaces the output; ``clear=True`` clears the cell's output first.
    """
    handle = None
    if display_id is not None:
        handle = DisplayHandle(None if display_id is True else display_id)
    if clear:
        clear_output(wait=True)
    for obj in objs:
        bundle = _bundle_for(obj, raw, include, exclude, metadata)
        if bundle is None:
            continue
        if handle is not None:
            bundle['metadata'][CONTROL_KEY] = {'display_id': handle.display_id, 'update': False}
        _emit(bundle)
    return handle


def update_display(obj, *, display_id, include=None, exclude=None, metadata=None, raw=False, **kwargs):
    """Replaces the output shown with ``display_id`` by ``obj`` (IPython's update_display)."""
    bundle = _bundle_for(obj, raw, include, exclude, metadata)
    if bundle is None:
        return
    bundle['metadata'][CONTROL_KEY] = {'display_id': str(display_id), 'update': True}
    _emit(bundle)


def clear_output(wait=False):
    """Clears the running cell's output; with ``wait=True`` only when the next output
    arrives, which lets a loop redraw a plot or a progress line without flicker."""
    try:
        import _py_contexts_native
    except ImportError:
        return
    _py_contexts_native.emit_display({'data': {}, 'metadata': {CONTROL_KEY: {'clear': True, 'wait': bool(wait)}}})


# --------------------------------------------------------------------------- wrappers

class _TextDisplay:
    """Shared by HTML, Markdown, SVG and Latex: text given inline, by URL, or by file."""

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data is not None and isinstance(data, str) and url is None and filename is None \
                and data.startswith(('http://', 'https://')) and '\n' not in data:
            url, data = data, None
        if filename is not None:
            with open(filename, 'rb') as f:
                data = f.read().decode('utf-8', 'replace')
        elif url is not None and data is None:
            import urllib.request
            with urllib.request.urlopen(url) as response:  # noqa: S310 (the user asked for it)
                data = response.read().decode('utf-8', 'replace')
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode('utf-8', 'replace')
        self.data = '' if data is None else str(data)
        self.metadata = metadata

    def _with_metadata(self, value):
        return (value, self.metadata) if self.metadata else value

    def __repr__(self) -> str:
        return f'<py_contexts.display.{type(self).__name__} object>'


class HTML(_TextDisplay):
    def _repr_html_(self):
        return self._with_metadata(self.data)


class Markdown(_TextDisplay):
    def _repr_markdown_(self):
        return self._with_metadata(self.data)


class SVG(_TextDisplay):
    def _repr_svg_(self):
        return self._with_metadata(self.data)


class Latex(_TextDisplay):
    def _repr_latex_(self):
        return self._with_metadata(self.data)


class JSON:
    """Shows a dict or list with VS Code's JSON renderer (``application/json``)."""

    def __init__(self, data=None, url=None, filename=None, expanded=False, metadata=None, root='root', **kwargs):
        if filename is not None:
            with open(filename, 'rb') as f:
                data = f.read()
        if isinstance(data, (str, bytes)):
            data = json.loads(data)
        self.data = data
        self.metadata = {'expanded': expanded, 'root': root, **(metadata or {}), **kwargs}

    def _repr_json_(self):
        return self.data, self.metadata

    def __repr__(self) -> str:
        return '<py_contexts.display.JSON object>'


class Image:
    """A PNG or JPEG image from bytes, a file, or a URL (a URL is linked unless ``embed``)."""

    def __init__(self, data=None, url=None, filename=None, format=None, embed=None,
                 width=None, height=None, alt=None, metadata=None, **kwargs):
        if isinstance(data, str) and url is None and filename is None:
            if data.startswith(('http://', 'https://', 'data:')):
                url, data = data, None
            else:
                filename, data = data, None
        if embed is None:
            embed = url is None
        if filename is not None:
            with open(filename, 'rb') as f:
                data = f.read()
            if format is None:
                format = filename.rsplit('.', 1)[-1]
        elif url is not None and embed:
            import urllib.request
            with urllib.request.urlopen(url) as response:  # noqa: S310 (the user asked for it)
                data = response.read()
        if format is None and isinstance(data, (bytes, bytearray)):
            format = 'jpeg' if bytes(data[:2]) == b'\xff\xd8' else 'png'
        format = (format or 'png').lower()
        self.format = 'jpeg' if format in ('jpg', 'jpeg') else format
        self.data = bytes(data) if data is not None else None
        self.url = url
        self.embed = embed
        self.width = width
        self.height = height
        self.alt = alt
        self.metadata = dict(metadata or {})

    def _md(self):
        md = dict(self.metadata)
        if self.width:
            md['width'] = self.width
        if self.height:
            md['height'] = self.height
        if self.alt:
            md['alt'] = self.alt
        return md

    def _repr_png_(self):
        if self.embed and self.format == 'png' and self.data is not None:
            md = self._md()
            return (self.data, md) if md else self.data
        return None

    def _repr_jpeg_(self):
        if self.embed and self.format == 'jpeg' and self.data is not None:
            md = self._md()
            return (self.data, md) if md else self.data
        return None

    def _repr_html_(self):
        if self.embed or not self.url:
            return None
        import html
        attrs = ''.join(f' {k}="{html.escape(str(v))}"' for k, v in
                        (('width', self.width), ('height', self.height), ('alt', self.alt)) if v)
        return f'<img src="{html.escape(self.url)}"{attrs}/>'

    def __repr__(self) -> str:
        return '<py_contexts.display.Image object>'


# --------------------------------------------------------------------------- matplotlib

_FIGURE_THREAD_ATTR = '_py_contexts_thread'
_FIGURE_SHOWN_ATTR = '_py_contexts_shown'


def _figure_png(fig) -> str | None:
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format='png', bbox_inches='tight')
        return base64.b64encode(buf.getvalue()).decode('ascii')
    except Exception:
        return None


#: Counts the rich runs of each thread, so "already shown" can mean "in this cell".
_cells = threading.local()


def _cell_token() -> tuple[int, int]:
    return (threading.get_ident(), getattr(_cells, 'serial', 0))


def _mark_shown(fig) -> None:
    try:
        setattr(fig, _FIGURE_SHOWN_ATTR, _cell_token())
    except Exception:
        pass


def _shown_in_this_cell(fig) -> bool:
    # Only within one cell: showing `fig` again in a later cell draws it again, as in Jupyter.
    return getattr(fig, _FIGURE_SHOWN_ATTR, None) == _cell_token()


def _own_figures(plt) -> list:
    """The open pyplot figures created on this thread.

    Several contexts can share one interpreter, and pyplot's figure registry is global to
    it; a cell must only collect the figures its own thread made, or two notebooks running
    at the same time would steal each other's plots. Figures without a tag were made
    before our hook was installed; they belong to whoever asks first.
    """
    helpers = sys.modules.get('matplotlib._pylab_helpers')
    if helpers is None:
        return []
    me = threading.get_ident()
    figures = []
    for manager in list(helpers.Gcf.get_all_fig_managers()):
        fig = manager.canvas.figure
        if getattr(fig, _FIGURE_THREAD_ATTR, me) == me:
            figures.append(fig)
    return figures


def _flush_figures(emit: bool = True) -> None:
    plt = sys.modules.get('matplotlib.pyplot')
    if plt is None:
        return
    # Outside a notebook cell (a run from an editor) the figure goes to the Plots view,
    # which keeps it to draw again at its own size (py_contexts.plots).
    plots = None if getattr(_cells, 'rich', False) else _plots()
    for fig in _own_figures(plt):
        try:
            if emit and not _shown_in_this_cell(fig):
                if plots is not None:
                    bundle = plots.bundle(fig)
                    if bundle is not None:
                        _emit(bundle)
                    continue
                png = _figure_png(fig)
                if png is not None:
                    _emit({'data': {'image/png': png, 'text/plain': _plain_text(fig)}, 'metadata': {}})
                    _mark_shown(fig)
        finally:
            try:
                plt.close(fig)
            except Exception:
                pass


def _plots():
    from py_contexts import plots
    return plots


def _show(*args, **kwargs) -> None:
    """pyplot.show() under our Agg backend: shows the figures now, as the inline backend
    does, instead of warning that Agg cannot open a window."""
    _flush_figures()


def _patch_matplotlib(module: types.ModuleType) -> None:
    # A GUI backend would open windows from the extension host's threads, or block in
    # show(); Agg renders in memory, and after_cell() sends the pictures.
    try:
        module.use('agg')
    except Exception:
        pass


def _patch_figure_module(module: types.ModuleType) -> None:
    figure_cls = getattr(module, 'Figure', None)
    if figure_cls is None or getattr(figure_cls.__init__, '_py_contexts', False):
        return
    original = figure_cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        try:
            setattr(self, _FIGURE_THREAD_ATTR, threading.get_ident())
        except Exception:
            pass

    __init__._py_contexts = True  # type: ignore[attr-defined]
    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    figure_cls.__init__ = __init__


def _patch_pyplot(module: types.ModuleType) -> None:
    if getattr(module.show, '_py_contexts', False):
        return
    _show._py_contexts = True  # type: ignore[attr-defined]
    module.show = _show


# --------------------------------------------------------------------------- IPython

def _patch_ipython_display(module: types.ModuleType) -> None:
    """Routes the real IPython's ``display`` to ours.

    Without a running IPython shell, ``IPython.display.display`` only prints reprs. Our
    environments are not IPython shells, so user code that imports IPython's display
    (and libraries that do, such as pandas' Styler or tqdm.notebook) would print
    ``<IPython.core.display.HTML object>`` instead of showing HTML.
    """
    for name, ours in (('display', display), ('clear_output', clear_output), ('update_display', update_display)):
        if getattr(module, name, None) not in (None, ours):
            setattr(module, name, ours)


class _PatchingLoader(importlib.abc.Loader):
    """Runs a module with its real loader, then applies our patch to it."""

    def __init__(self, loader, patch) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            self._patch(module)
        except Exception:
            pass

    def __getattr__(self, name):  # get_source, get_filename, … for tracebacks and inspect
        return getattr(self._loader, name)


_PATCHES = {
    'matplotlib': _patch_matplotlib,
    'matplotlib.figure': _patch_figure_module,
    'matplotlib.pyplot': _patch_pyplot,
    'IPython.core.display_functions': _patch_ipython_display,
    'IPython.core.display': _patch_ipython_display,
    'IPython.display': _patch_ipython_display,
}


class _ImportHook(importlib.abc.MetaPathFinder):
    """Patches a few modules right after their first import (see ``_PATCHES``).

    A post-import hook rather than importing them ourselves keeps cells that never use
    matplotlib or IPython free of their import time, and a hook on the import itself
    (rather than in before_cell) catches an import in the middle of a cell before any
    figure exists.
    """

    def find_spec(self, name, path, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        spec = spec_from_other_finders(_ImportHook, name, path, target)
        if spec is None:
            return None
        if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
            spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


class _ShimFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Provides a minimal ``IPython`` with ``IPython.display`` when the real one is absent.

    It sits at the end of ``sys.meta_path``, so it is asked only after every real finder
    failed: an installed IPython always wins, and nobody sees an ``IPython`` module unless
    code imports it. ``get_ipython()`` returns None, which tells libraries that probe for
    IPython that they are not inside a shell.
    """

    _NAMES = ('IPython', 'IPython.display', 'IPython.core', 'IPython.core.display')

    def find_spec(self, name, path, target=None):
        if name not in self._NAMES:
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=name in ('IPython', 'IPython.core'))

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        module.__dict__['__py_contexts_shim__'] = True
        if name == 'IPython':
            module.get_ipython = lambda: None
            module.display = display
            module.version_info = (0, 0, 0, 'py-contexts-shim')
            module.__version__ = '0.0.0+py-contexts-shim'
        elif name in ('IPython.display', 'IPython.core.display'):
            for export in ('display', 'update_display', 'clear_output', 'HTML', 'Markdown', 'SVG', 'Latex',
                           'JSON', 'Image', 'DisplayHandle'):
                setattr(module, export, globals()[export])


def _install_hooks() -> None:
    if not any(isinstance(f, _ImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _ImportHook())
    if not any(isinstance(f, _ShimFinder) for f in sys.meta_path):
        sys.meta_path.append(_ShimFinder())
    # Modules imported before this module was loaded get the same patches now.
    for name, patch in _PATCHES.items():
        module = sys.modules.get(name)
        if module is not None and not getattr(module, '__py_contexts_shim__', False):
            try:
                patch(module)
            except Exception:
                pass


_install_hooks()


# --------------------------------------------------------------------------- cell hooks

def before_cell() -> None:
    """Called by the runtime before every rich run. Figures left over from a plain run on
    this thread (run selection, a call) are closed silently, so that they do not surface
    as outputs of an unrelated cell."""
    _cells.serial = getattr(_cells, 'serial', 0) + 1
    _cells.rich = True
    _flush_figures(emit=False)
    # %autoreload (py_contexts.magics) is checked only once some cell used a magic.
    magics = sys.modules.get('py_contexts.magics')
    if magics is not None:
        magics.autoreload_check()


def after_cell() -> None:
    """Called by the runtime after every rich run, also when the cell raised: the figures
    the cell created are sent as ``image/png`` outputs and closed."""
    try:
        _flush_figures(emit=True)
    finally:
        _cells.rich = False
