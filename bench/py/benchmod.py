"""Python side of the benchmarks: the same functions for every peer.

The large return values are built once at import, so the figures measure
moving them to JS, not building them.
"""
import time

STR_1MB = "x" * (1 << 20)
BYTES_1MB = bytes(range(256)) * (1 << 12)


def burn(ms):
    """Hold the CPU (and the GIL) for `ms` milliseconds, like a real CPU-bound call."""
    end = time.perf_counter() + ms / 1000.0
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def sum_f64(buf):
    """Sum doubles from whatever the peer hands over.

    Py Contexts passes a Float64Array as a memoryview of format 'd'; node-calls-python
    passes the raw bytes; the JSON-lines peer passes bytes decoded from base64.
    Casting keeps the Python work identical, so the figure is the transport.
    """
    mv = memoryview(buf)
    if mv.format != "d":
        mv = mv.cast("B").cast("d")
    return sum(mv)


def str_1mb():
    return STR_1MB


def bytes_1mb():
    return BYTES_1MB


def nbytes(buf):
    """Touch the buffer without iterating it, so the figure is the hand-over alone."""
    return memoryview(buf).nbytes


# Big results (bench/peers/bigresult.mjs): built once, then fetched, so the figure is the move.
_BIG = {}


def make_big(kind, n):
    if kind == "list":
        _BIG[kind] = list(range(n))
    else:
        import numpy
        _BIG[kind] = numpy.arange(n, dtype="float64")


def big_list(head):
    x = _BIG["list"]
    return x[:head] if head else x


def big_numpy_bytes(head):
    x = _BIG["numpy"]
    return (x[:head] if head else x).tobytes()


def spin(n):
    """A fixed amount of pure-Python work (unlike burn, which is a fixed time), so two calls
    at once finish sooner than two in a row only if they really run in parallel."""
    t = 0
    for i in range(n):
        t += i
    return t
