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
    policy = asyncio.get_event_loop_policy()
    try:
        prior = policy._local._loop  # what get_event_loop() returned before, on this thread
    except AttributeError:  # pragma: no cover - another policy
        prior = None
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
        asyncio.set_event_loop(prior)


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
