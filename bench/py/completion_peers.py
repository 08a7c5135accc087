"""Completion latency of the peers, for bench/completions.mjs: Jedi's Interpreter (what
Jedi-based editors use with a live namespace, in-process) and a Jupyter kernel's
complete_request (what a notebook asks, over ZeroMQ, answered by IPython's completer).

Run with Debian's /usr/bin/python3 (python3-jedi, python3-ipykernel, python3-jupyter-client).
Prints one JSON object: {peer: {case: median µs | {"unavailable": reason}}}.
"""
import json
import statistics
import sys
import time

SETUP = (
    "import numpy as np\n"
    "import pandas as pd\n"
    "df = pd.DataFrame({f'col{i}': [i] for i in range(50)})\n"
)
CASES = {"np.": "np.", "df.": "df."}


def median_us(fn, rounds):
    for _ in range(max(5, rounds // 10)):
        fn()
    samples = []
    for _ in range(rounds):
        t = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t) / 1000)
    return statistics.median(samples)


def jedi_peer(rounds):
    try:
        import jedi
    except ImportError as e:
        return {c: {"unavailable": f"{e} (apt-get install python3-jedi)"} for c in CASES}
    ns = {}
    exec(SETUP, ns)
    out = {}
    for case, code in CASES.items():
        def complete(code=code):
            items = jedi.Interpreter(code, [ns]).complete()
            if not items:
                raise RuntimeError(f"jedi completed nothing for {code!r}")
            return items
        if case == "df." and not any(c.name == "col49" for c in complete()):
            raise RuntimeError("jedi did not list the DataFrame's columns")
        out[case] = median_us(complete, max(5, rounds // 10))  # jedi takes milliseconds per call
    return out


def jupyter_peer(rounds):
    try:
        from jupyter_client import KernelManager
        import ipykernel  # noqa: F401
    except ImportError as e:
        return {c: {"unavailable": f"{e} (apt-get install python3-ipykernel python3-jupyter-client)"} for c in CASES}
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive(SETUP, timeout=120)
        out = {}
        for case, code in CASES.items():
            def complete(code=code):
                reply = kc.complete(code, len(code), reply=True, timeout=30)
                matches = reply["content"]["matches"]
                if not matches:
                    raise RuntimeError(f"the kernel completed nothing for {code!r}")
                return matches
            if case == "df." and not any(m.endswith("col49") for m in complete()):
                raise RuntimeError("the kernel did not list the DataFrame's columns")
            out[case] = median_us(complete, rounds)
        return out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(json.dumps({"jedi": jedi_peer(rounds), "jupyter": jupyter_peer(rounds), "python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
