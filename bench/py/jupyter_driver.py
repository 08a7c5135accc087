"""Jupyter kernel round trip, measured from a Python driver with jupyter_client.

Run with Debian's /usr/bin/python3 (python3-ipykernel + python3-jupyter-client).
Prints one JSON object on stdout. This is an external figure: the driver talks
ZeroMQ to a separate kernel process, as VS Code's Jupyter extension does.
"""
import json
import statistics
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def execute(kc, code, timeout=30.0):
    """One execute_request; done when the reply and the kernel's 'idle' status have both arrived."""
    msg_id = kc.execute(code, store_history=False)
    result = None
    idle = replied = False
    deadline = time.monotonic() + timeout
    while not (idle and replied):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no reply to {code!r}")
        if not idle:
            msg = kc.get_iopub_msg(timeout=left)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "execute_result":
                result = msg["content"]["data"].get("text/plain")
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        else:
            reply = kc.get_shell_msg(timeout=left)
            if reply["parent_header"].get("msg_id") == msg_id:
                replied = True
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(reply["content"])
    return result


def start(KernelManager):
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    startups = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    t0 = time.perf_counter()
    try:
        from jupyter_client import KernelManager
        import ipykernel  # noqa: F401 - only its presence matters
    except ImportError as e:
        emit({"available": False, "reason": f"{e} (install python3-ipykernel python3-jupyter-client)"})
        return
    import_ms = (time.perf_counter() - t0) * 1000

    startup_ms = []
    for _ in range(startups):
        t = time.perf_counter()
        km, kc = start(KernelManager)
        first = execute(kc, "1+1")
        startup_ms.append((time.perf_counter() - t) * 1000)
        if first != "2":
            raise RuntimeError(f"1+1 gave {first!r}")
        stop(km, kc)

    km, kc = start(KernelManager)
    try:
        for _ in range(max(10, rounds // 10)):
            execute(kc, "1+1")
        samples = []
        for _ in range(rounds):
            t = time.perf_counter_ns()
            execute(kc, "1+1")
            samples.append((time.perf_counter_ns() - t) / 1000)
    finally:
        stop(km, kc)

    emit({
        "available": True,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "import_ms": import_ms,
        "startup_ms": startup_ms,
        "roundtrip_us": statistics.median(samples),
        "roundtrip_p90_us": sorted(samples)[int(len(samples) * 0.9)],
        "rounds": rounds,
    })


if __name__ == "__main__":
    main()
