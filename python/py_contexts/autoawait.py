"""Top-level ``await`` in notebook cells, run selection and the console.

IPython's autoawait semantics: code is compiled with ``PyCF_ALLOW_TOP_LEVEL_AWAIT``; when it
awaits, evaluating it gives a coroutine, which runs to completion on an event loop that
belongs to the process (kept across runs, so tasks a cell created go on running whenever a
later cell awaits), on the context thread. Code that does not await is unaffected, and
``asyncio.run()`` keeps working in it as in a script.

An interrupt (or a timeout) is a KeyboardInterrupt delivered between bytecodes, which a loop
blocked in ``select()`` would not see until its next event: the loop's selector therefore
waits in short slices.
"""

import ast

FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect (or asyncio) at start-up

# How long the loop may sit in select() before an interrupt is noticed.
SLICE_SECONDS = 0.05

# (context id, process id) -> the process's event loop in that context.
_loops = {}


def is_async(code):
    return bool(code.co_flags & _CO_COROUTINE)


_selector_class = None


def _sliced_selector():
    global _selector_class
    if _selector_class is None:
        import selectors

        class SlicedSelector(selectors.DefaultSelector):
            def select(self, timeout=None):
                if timeout is not None and timeout <= SLICE_SECONDS:
                    return super().select(timeout)
                remaining = timeout
                while True:
                    step = SLICE_SECONDS if remaining is None else min(SLICE_SECONDS, remaining)
                    ready = super().select(step)
                    if ready:
                        return ready
                    if remaining is not None:
                        remaining -= step
                        if remaining <= 0:
                            return ready

        _selector_class = SlicedSelector
    return _selector_class()


def loop_for(key):
    import asyncio

    loop = _loops.get(key)
    if loop is None or loop.is_closed():
        loop = _loops[key] = asyncio.SelectorEventLoop(_sliced_selector())
    return loop


async def block(body, expr, env):
    """A block's statements, then its trailing expression, awaiting whichever await."""
    if body is not None:
        r = eval(body, env)
        if body.co_flags & _CO_COROUTINE:
            await r
    if expr is None:
        return None
    r = eval(expr, env)
    if expr.co_flags & _CO_COROUTINE:
        r = await r
    return r


def run(coro, key):
    """Runs a top-level coroutine of process `key` to completion; returns its value."""
    import asyncio

    loop = loop_for(key)
    try:
        previous = asyncio.events._get_running_loop()
    except Exception:  # pragma: no cover - private API, present in 3.7-3.13
        previous = None
    if previous is not None:
        coro.close()
        raise RuntimeError('top-level await cannot run while an event loop is running in this thread')
    # The loop is the thread's current one while the cell runs (asyncio.get_event_loop()
    # inside it), then the thread's state is put back as it was, _set_called included.
    local = getattr(asyncio.get_event_loop_policy(), '_local', None)
    prior = (getattr(local, '_loop', None), getattr(local, '_set_called', False))
    asyncio.set_event_loop(loop)
    task = loop.create_task(coro)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        # Interrupted (or timed out) while awaiting: stop the cell's task as asyncio.run()
        # does, so it does not resume under the next cell. Its other tasks keep running.
        if not task.done():
            task.cancel()
            try:
                loop.run_until_complete(asyncio.wait([task], timeout=1.0))
            except BaseException:
                pass
        raise
    finally:
        if local is not None:
            local._loop, local._set_called = prior
        else:  # pragma: no cover - another policy
            asyncio.set_event_loop(prior[0])


def close(key):
    """The process's environment in this context is gone: so is its loop."""
    loop = _loops.pop(key, None)
    if loop is None or loop.is_closed() or loop.is_running():
        return
    import asyncio

    try:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(loop.shutdown_asyncgens())
    except BaseException:
        pass
    finally:
        loop.close()


# ---------------------------------------------------------------------------
# asyncio.get_event_loop() outside a running loop: a script's main thread gets a loop made
# for it; other threads get RuntimeError. Code in a document gets its process's loop (the
# one its top-level awaits run on), without making it the thread's: processes take turns
# on a context thread. Patched when asyncio.events is first imported, which keeps asyncio's
# import time off the engine's start-up.

def _context_key():
    from py_contexts import threads
    import _py_contexts_native as native

    st = getattr(threads._tls, 'state', None)
    if st is None or st.env is None:
        return None
    return (native.context_id(), st.env.get('__py_contexts_process__'))


def _patch_events(events):
    policy_class = events.BaseDefaultEventLoopPolicy
    real = policy_class.get_event_loop

    def get_event_loop(self):
        # As for a script's main thread: only when no loop was ever set on this thread
        # (asyncio.run() and set_event_loop(None) set one). That record is the context
        # thread's, shared by the documents that run there (a known difference).
        local = self._local
        if local._loop is None and not local._set_called:
            key = _context_key()
            if key is not None:
                return loop_for(key)
        return real(self)

    get_event_loop.__doc__ = real.__doc__
    get_event_loop.__qualname__ = real.__qualname__
    get_event_loop.__module__ = real.__module__
    policy_class.get_event_loop = get_event_loop


class _EventsHook:
    """A meta path finder that patches asyncio.events right after its first import."""

    def find_spec(self, name, path, target=None):
        if name != 'asyncio.events':
            return None
        import sys

        from py_contexts._imports import spec_from_other_finders

        spec = spec_from_other_finders(_EventsHook, name, path, target)
        if spec is None:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, 'exec_module'):
            return spec

        real_exec = loader.exec_module

        def exec_module(module):
            real_exec(module)
            _patch_events(module)
            sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _EventsHook)]

        loader.exec_module = exec_module
        return spec


def install():
    import sys

    events = sys.modules.get('asyncio.events')
    if events is not None:
        _patch_events(events)
    else:
        sys.meta_path.insert(0, _EventsHook())
