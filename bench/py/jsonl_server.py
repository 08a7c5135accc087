"""A long-lived Python peer speaking JSON lines over stdin/stdout.

This is what a careful user would write without an embedding library: one
request per line, one response per line, code objects cached, and binary data
carried as base64 because JSON has no bytes type.

Request:  {"id": 1, "op": "call", "module": "math", "fn": "sqrt", "args": [16]}
          {"id": 2, "op": "run", "code": "1+1"}
Response: {"id": 1, "ok": 4.0}  or  {"id": 1, "error": "ZeroDivisionError: ..."}
Binary values travel as {"__bytes__": "<base64>"} in both directions.
"""
import ast
import base64
import importlib
import json
import sys

NAMESPACE = {"__name__": "__main__"}
CODE_CACHE = {}


def decode(obj):
    if isinstance(obj, dict) and "__bytes__" in obj and len(obj) == 1:
        return base64.b64decode(obj["__bytes__"])
    return obj


def encode(obj):
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return {"__bytes__": base64.b64encode(bytes(obj)).decode("ascii")}
    raise TypeError(f"cannot encode {type(obj).__name__}")


def compiled(code):
    """Compile a block once; the value of a trailing expression is returned like a REPL."""
    hit = CODE_CACHE.get(code)
    if hit is not None:
        return hit
    tree = ast.parse(code, "<jsonl>", "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body.pop().value), "<jsonl>", "eval")
    hit = (compile(tree, "<jsonl>", "exec"), last)
    CODE_CACHE[code] = hit
    return hit


def handle(req):
    op = req["op"]
    if op == "call":
        fn = getattr(importlib.import_module(req["module"]), req["fn"])
        return fn(*[decode(a) for a in req.get("args", [])])
    if op == "run":
        body, last = compiled(req["code"])
        exec(body, NAMESPACE)
        return eval(last, NAMESPACE) if last is not None else None
    raise ValueError(f"unknown op {op!r}")


def main():
    sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        req = json.loads(line)
        try:
            resp = {"id": req["id"], "ok": handle(req)}
        except Exception as e:  # noqa: BLE001 - every error goes back to the caller
            resp = {"id": req["id"], "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(resp, default=encode).encode() + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
