"""A Python exception as plain data for a PythonError (src/engine/errors.ts).

Python formats the traceback text once (the ``traceback`` module, carets included) and
sends, beside it, the same exceptions as structure: every exception of the chain
(``__cause__``/``__context__``, outermost first) with its frames (file, line, function,
source line), its own summary lines, and the members of an exception group. TypeScript
renders other styles (the notebook's IPython one, editor markers, links) from that
structure and never parses the text back.

The engine's own frames are hidden here and only here: every frame in this package (the
dispatch at the top, the input()/sleep() shims at the bottom, magics) and the asyncio
frames that run an awaiting cell before its first frame.
"""

import builtins
import os
import traceback
import types

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_ASYNCIO_DIR = os.path.join(os.path.dirname(os.__file__), 'asyncio') + os.sep

TRACEBACK_KEEP = 100  # frames kept at each end of a very deep traceback
MAX_GROUP_MEMBERS = 15  # as traceback.py's own limit for exception groups
STR_FAILED = '<exception str() failed>'


def is_internal(filename):
    return filename.startswith(_PACKAGE_DIR)


def strip_internal(tb):
    """The traceback without the engine's frames: users should only see their own code."""
    kept = []
    leading = True
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not (is_internal(name) or (leading and name.startswith(_ASYNCIO_DIR))):
            leading = False
            kept.append(tb)
        tb = tb.tb_next
    new = None
    for t in reversed(kept):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def trim_deep(tb):
    """Links the outermost and innermost TRACEBACK_KEEP entries of a traceback deeper than
    ten times that, dropping the middle. Formatting a frame costs real time (3.13 finds the
    caret anchors of every line with the parser), so a RecursionError 100,000 frames deep
    took over two minutes to report. Returns (tb, total depth, frames dropped)."""
    entries = []
    t = tb
    while t is not None:
        entries.append(t)
        t = t.tb_next
    depth = len(entries)
    if depth <= 10 * TRACEBACK_KEEP:
        return tb, depth, 0
    entries[TRACEBACK_KEEP - 1].tb_next = entries[depth - TRACEBACK_KEEP]
    return tb, depth, depth - 2 * TRACEBACK_KEEP


def type_name(exc):
    etype = type(exc)
    name = etype.__qualname__
    if etype.__module__ not in ('builtins', '__main__', None):
        name = f'{etype.__module__}.{name}'
    return name


def _chain(exc):
    """The exceptions Python prints for `exc`, outermost cause first, each paired with how it
    follows the one before it: 'cause' (raise ... from), 'context' (raised while handling
    it) or None for the first."""
    items = []
    seen = set()
    e = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if e.__cause__ is not None:
            nxt, link = e.__cause__, 'cause'
        elif e.__context__ is not None and not e.__suppress_context__:
            nxt, link = e.__context__, 'context'
        else:
            nxt, link = None, None
        items.append((e, link))
        e = nxt
    items.reverse()
    if items:
        items[0] = (items[0][0], None)  # a cycle's way back is not printed
    return items


def _summary(exc, message):
    """Python's own lines for the exception itself: `Type: message`, the notes, and for a
    SyntaxError the offending line with its caret (its location is in `syntax`)."""
    if message == STR_FAILED:
        return [f'{type_name(exc)}: {message}']
    try:
        lines = ''.join(traceback.format_exception_only(type(exc), exc)).rstrip('\n').split('\n')
    except BaseException:
        return [f'{type_name(exc)}: {message}' if message else type_name(exc)]
    if isinstance(exc, SyntaxError) and lines and lines[0].startswith('  File '):
        lines = lines[1:]
    return lines


def _frames(tb):
    frames = []
    for fs in traceback.extract_tb(tb):
        frames.append({'file': fs.filename, 'line': fs.lineno or 0, 'name': fs.name, 'source': fs.line or ''})
    return frames


def _describe_one(exc, link, message_of, depth_left):
    """One exception of a chain as plain data (see PythonException in src/engine/errors.ts)."""
    message = message_of(exc)
    tb, depth, dropped = trim_deep(strip_internal(exc.__traceback__))
    exc.__traceback__ = tb
    try:
        frames = _frames(tb)
    except BaseException:
        frames = []
    item = {'type': type_name(exc), 'message': message, 'summary': _summary(exc, message), 'frames': frames}
    if link:
        item['link'] = link
    if dropped:
        item['omitted'] = {'after': TRACEBACK_KEEP, 'count': dropped, 'depth': depth}
    if isinstance(exc, SyntaxError) and exc.filename:
        item['syntax'] = {'file': exc.filename, 'line': exc.lineno or 0}
    members = getattr(exc, 'exceptions', None)
    if depth_left > 0 and _is_group(exc) and isinstance(members, tuple):
        item['members'] = [_describe_chain(m, message_of, depth_left - 1) for m in members[:MAX_GROUP_MEMBERS]]
        if len(members) > MAX_GROUP_MEMBERS:
            item['membersOmitted'] = len(members) - MAX_GROUP_MEMBERS
    return item


def _is_group(exc):
    group = getattr(builtins, 'BaseExceptionGroup', None)  # 3.11+
    return group is not None and isinstance(exc, group)


def _describe_chain(exc, message_of, depth_left):
    return [_describe_one(e, link, message_of, depth_left) for e, link in _chain(exc)]


def safe_str(exc):
    """str(exc), which runs user code (__str__): one that raises, or that loops until the
    caller interrupts it (a KeyboardInterrupt, hence BaseException), must not stop the error
    from being reported."""
    try:
        return str(exc)
    except BaseException:
        return STR_FAILED


def describe(exc, message_of=safe_str):
    """Plain data for a PythonError: type, message, traceback text, the innermost frames
    (the raised exception's, plus a SyntaxError's location) and the whole chain."""
    message = message_of(exc)
    messages = {id(exc): message}

    def message_once(e):
        # str() of the raised exception has run already: a __str__ that loops ran until the
        # caller interrupted it, and must not run again.
        if id(e) not in messages:
            messages[id(e)] = message_of(e)
        return messages[id(e)]

    try:
        chain = _describe_chain(exc, message_once, 10)
    except BaseException:
        chain = [{'type': type_name(exc), 'message': message, 'summary': [f'{type_name(exc)}: {message}'],
                  'frames': []}]
    last = chain[-1]
    try:
        if message == STR_FAILED:
            # Formatting would call the failing __str__ a second time.
            text = 'Traceback (most recent call last):\n' + ''.join(traceback.format_tb(exc.__traceback__)) + \
                f'{last["type"]}: {message}\n'
        else:
            text = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        omitted = last.get('omitted')
        if omitted:
            header = 'Traceback (most recent call last):\n'
            at = text.rfind(header) + len(header)
            text = text[:at] + omitted_note(omitted) + '\n' + text[at:]
    except BaseException:
        text = '\n'.join(last['summary']) + '\n'
    frames = [{'file': f['file'], 'line': f['line'], 'name': f['name']} for f in last['frames']]
    syntax = last.get('syntax')
    if syntax:
        frames.append({'file': syntax['file'], 'line': syntax['line'], 'name': '<module>'})
    return {'type': last['type'], 'message': message, 'traceback': text, 'frames': frames, 'chain': chain}


def omitted_note(omitted):
    return (f'  [{omitted["depth"]:,} frames deep: the outermost {TRACEBACK_KEEP} and the innermost '
            f'{TRACEBACK_KEEP} are shown, {omitted["count"]:,} in between are left out]')
