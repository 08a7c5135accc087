"""Figures of editor runs, kept for the Plots view (src/surfaces/plots/).

A notebook cell's figures become PNG outputs and are closed, as in IPython's inline backend.
A run from an editor has no cell to hold them: ``plt.show()`` and the figures a run leaves
open are sent to the Plots view instead, and the Figure objects are kept here (the newest
``MAX_KEPT``, closed in pyplot's sense) so the view can ask matplotlib to draw them again at
its own size (``render``) or as SVG.
"""

from __future__ import annotations

import base64
import io
import itertools
import sys
import threading
from collections import OrderedDict

#: Figures kept for re-rendering, oldest first. Each holds its canvas and data; the view's
#: history is bounded the same way (src/surfaces/plots/history.ts).
MAX_KEPT = 30

_lock = threading.Lock()
_kept: OrderedDict[str, object] = OrderedDict()
_ids = itertools.count(1)


def keep(fig) -> str:
    with _lock:
        fig_id = f'fig-{next(_ids)}'
        _kept[fig_id] = fig
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return fig_id


def bundle(fig) -> dict | None:
    """The figure as a display bundle whose metadata names it for ``render``."""
    from py_contexts import display
    png = display._figure_png(fig)
    if png is None:
        return None
    fig_id = keep(fig)
    dpi = float(fig.dpi)
    width, height = (float(v) * dpi for v in fig.get_size_inches())
    return {
        'data': {'image/png': png, 'text/plain': display._plain_text(fig)},
        'metadata': {'py_contexts': {'figure': fig_id, 'width': round(width), 'height': round(height)}},
    }


def collect() -> list:
    """The figures this thread's run left open, as bundles; they are closed in pyplot."""
    plt = sys.modules.get('matplotlib.pyplot')
    if plt is None:
        return []
    from py_contexts import display
    out = []
    for fig in display._own_figures(plt):
        try:
            b = bundle(fig)
            if b is not None:
                out.append(b)
        finally:
            try:
                plt.close(fig)
            except Exception:
                pass
    return out


#: Metadata flag (under ``py_contexts``) of the figures ``send_left_open`` sends: the runner
#: gives them to its observers only, as they are no output of the code itself
#: (src/surfaces/runSelection/runner.ts).
LEFT_OPEN_KEY = 'left_open'


def send_left_open() -> None:
    """Sends the figures this thread's run left open as display events, flagged; never raises,
    so a figure that fails to draw cannot replace the run's own result or error."""
    try:
        from py_contexts import display
        for b in collect():
            b['metadata']['py_contexts'][LEFT_OPEN_KEY] = True
            display._emit(b)
    except Exception:
        pass


def render(fig_id: str, width_px: float, height_px: float, dpi: float, fmt: str = 'png') -> str | None:
    """Draws a kept figure again at this size: PNG as base64, SVG as text; None once forgotten."""
    with _lock:
        fig = _kept.get(fig_id)
    if fig is None:
        return None
    dpi = max(float(dpi), 10.0)
    old = fig.get_size_inches().copy()
    try:
        if width_px and height_px:
            fig.set_size_inches(max(float(width_px), 50.0) / dpi, max(float(height_px), 50.0) / dpi)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi)
    finally:
        fig.set_size_inches(old)
    data = buf.getvalue()
    return data.decode('utf-8') if fmt == 'svg' else base64.b64encode(data).decode('ascii')


def forget(fig_ids) -> None:
    with _lock:
        for fig_id in fig_ids:
            _kept.pop(fig_id, None)
