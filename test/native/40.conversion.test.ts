import * as assert from 'node:assert/strict';
import { PyValue } from '../../src/core';
import type { PyProcess } from '../../src/core';
import { getPython, uniqueId } from './_setup';

describe('conversion', () => {
  let p: PyProcess;
  before(async () => {
    const py = await getPython();
    p = py.process(uniqueId('conv'));
    await p.exec('def ident(x):\n    return x\ndef t(x):\n    return type(x).__name__');
  });
  after(() => p.close());

  const roundTrip = (v: unknown) => p.call('__main__', 'ident', [v]);
  const pyType = (v: unknown) => p.call('__main__', 't', [v]);

  describe('Python -> JS', () => {
    it('maps scalars', async () => {
      assert.equal(await p.eval('None'), null);
      assert.equal(await p.eval('True'), true);
      assert.equal(await p.eval('False'), false);
      assert.equal(await p.eval('42'), 42);
      assert.equal(await p.eval('-7'), -7);
      assert.equal(await p.eval('1.5'), 1.5);
      assert.equal(await p.eval('"héllo"'), 'héllo');
    });

    it('keeps NaN and infinities', async () => {
      assert.ok(Number.isNaN(await p.eval('float("nan")')));
      assert.equal(await p.eval('float("inf")'), Infinity);
      assert.equal(await p.eval('float("-inf")'), -Infinity);
      assert.ok(Object.is(await p.eval('-0.0'), -0));
    });

    it('uses BigInt beyond the safe integer range, exactly at the edges', async () => {
      assert.equal(await p.eval('2**53 - 1'), Number.MAX_SAFE_INTEGER);
      assert.equal(await p.eval('-(2**53 - 1)'), -Number.MAX_SAFE_INTEGER);
      assert.equal(await p.eval('2**53'), 2n ** 53n);
      assert.equal(await p.eval('-(2**53)'), -(2n ** 53n));
      assert.equal(await p.eval('2**64'), 2n ** 64n);
      assert.equal(await p.eval('-(2**200) + 1'), -(2n ** 200n) + 1n);
      assert.equal(await p.eval('10**40'), 10n ** 40n);
    });

    it('maps bytes and bytearray to Buffer', async () => {
      const b = await p.eval('bytes(range(256))');
      assert.ok(Buffer.isBuffer(b));
      assert.deepEqual([...(b as Buffer)], [...Array(256).keys()]);
      assert.deepEqual(await p.eval('bytearray(b"ab")'), Buffer.from('ab'));
    });

    it('maps list/tuple to Array, str-keyed dict to object, other dict to Map, set to Set', async () => {
      assert.deepEqual(await p.eval('[1, (2, 3), []]'), [1, [2, 3], []]);
      assert.deepEqual(await p.eval('{"a": 1, "b": {"c": [True]}}'), { a: 1, b: { c: [true] } });
      assert.deepEqual(await p.eval('{1: "x", (2, 3): "y"}'), new Map<unknown, unknown>([[1, 'x'], [[2, 3], 'y']]));
      assert.deepEqual(await p.eval('{1, 2, 3}'), new Set([1, 2, 3]));
      assert.deepEqual(await p.eval('frozenset()'), new Set());
    });

    it('wraps other objects as PyValue with type and repr', async () => {
      const v = await p.eval('complex(1, 2)');
      assert.ok(v instanceof PyValue);
      assert.equal((v as PyValue).type, 'complex');
      assert.equal((v as PyValue).repr, '(1+2j)');
      const bad = await p.run('class Bad:\n    def __repr__(self):\n        raise ValueError("no")\nBad()');
      assert.ok(bad instanceof PyValue);
      assert.match((bad as PyValue).repr, /repr failed/);
    });

    it('returns strings with astral characters and lone surrogates exactly', async () => {
      assert.equal(await p.eval('"😀 \\U0001F600 a"'), '😀 😀 a');
      assert.equal(await p.eval('"\\ud800x"'), '\ud800x');
      assert.equal(await p.eval('"ελληνικά 中文"'), 'ελληνικά 中文');
    });

    it('reports cycles and deep nesting as TypeError naming the path', async () => {
      await assert.rejects(p.run('a = [1]\na.append(a)\na'), /result\[1\]: the value contains a reference cycle/);
      await assert.rejects(p.run('d = x = []\nfor _ in range(2000):\n    x.append([])\n    x = x[0]\nd'), /nesting deeper than 1000/);
    });
  });

  describe('JS -> Python', () => {
    it('maps null/undefined to None and numbers to int or float', async () => {
      assert.equal(await pyType(null), 'NoneType');
      assert.equal(await pyType(undefined), 'NoneType');
      assert.equal(await pyType(3), 'int');
      assert.equal(await pyType(3.5), 'float');
      assert.equal(await pyType(-0), 'float');
      assert.equal(await pyType(NaN), 'float');
      assert.equal(await pyType(2 ** 60), 'float', 'integral numbers beyond 2^53 stay floats');
      assert.equal(await pyType(true), 'bool');
    });

    it('maps BigInt to int exactly, including edges and signs', async () => {
      for (const v of [0n, 1n, -1n, 2n ** 53n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 300n) + 7n]) {
        assert.equal(await pyType(v), 'int');
        const back = await roundTrip(v);
        assert.equal(BigInt(back as number | bigint), v);
      }
    });

    it('round-trips strings, including astral characters and lone surrogates', async () => {
      for (const s of ['', 'ascii', 'é', '日本語', '😀', 'a\u{1F600}b', '\ud800', 'x\udfffy', '\0nul']) {
        assert.equal(await roundTrip(s), s);
      }
      assert.equal(await p.call('builtins', 'len', ['😀']), 1, 'an astral character is one Python character');
    });

    it('maps Buffer and Uint8Array to bytes, including 10 MB', async () => {
      assert.equal(await pyType(Buffer.from('hi')), 'bytes');
      assert.equal(await pyType(new Uint8Array([1, 2])), 'bytes');
      const big = Buffer.alloc(10 * 1024 * 1024, 7);
      big[123] = 9;
      const back = (await roundTrip(big)) as Buffer;
      assert.equal(back.length, big.length);
      assert.ok(back.equals(big));
    });

    it('maps typed arrays to memoryviews with the right format', async () => {
      const cases: [ArrayBufferView, string][] = [
        [new Float64Array([1.5, 2.5]), 'd'],
        [new Float32Array([1]), 'f'],
        [new Int32Array([-1, 2]), 'i'],
        [new Uint16Array([1]), 'H'],
        [new Int8Array([1]), 'b'],
        [new BigInt64Array([1n]), 'q'],
      ];
      for (const [arr, fmt] of cases) {
        assert.equal(await p.call('__main__', 't', [arr]), 'memoryview');
        await p.exec('def fmt(x):\n    return x.format, x.tolist()');
        const [f, list] = (await p.call('__main__', 'fmt', [arr])) as [string, unknown[]];
        assert.equal(f, fmt);
        assert.deepEqual(list.map(Number), [...(arr as unknown as Iterable<number | bigint>)].map(Number));
      }
      assert.equal(await p.call('builtins', 'sum', [new Float64Array([1, 2, 3.5])]), 6.5);
    });

    it('lends large typed arrays to Python without copying (shared memory)', async () => {
      const big = new Float64Array(100_000).fill(1);
      await p.exec('def scale(view, k):\n    for i in range(3):\n        view[i] *= k\n    return view.nbytes');
      assert.equal(await p.call('__main__', 'scale', [big, 5]), 800_000);
      assert.deepEqual([...big.subarray(0, 4)], [5, 5, 5, 1], 'Python wrote into the JS memory');
      // Python may keep the view after the call: the JS memory stays alive meanwhile.
      await p.exec('def keep(view):\n    global kept\n    kept = view');
      await p.call('__main__', 'keep', [new Int32Array(4096).fill(7)]);
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setImmediate(r));
      assert.equal(await p.eval('sum(kept)'), 7 * 4096);
      await p.exec('del kept');
    });

    it('maps Array to list, objects and Maps to dict, Set to set', async () => {
      assert.equal(await pyType([1, 2]), 'list');
      assert.equal(await pyType({ a: 1 }), 'dict');
      assert.equal(await pyType(new Map([[1, 2]])), 'dict');
      assert.equal(await pyType(new Set([1])), 'set');
      assert.deepEqual(await roundTrip({ a: [1, { b: 'c' }], d: null }), { a: [1, { b: 'c' }], d: null });
      assert.deepEqual(await roundTrip(new Map<unknown, unknown>([[1, 'one'], ['k', 2]])), new Map<unknown, unknown>([[1, 'one'], ['k', 2]]));
      assert.deepEqual(await roundTrip(new Set(['a', 1])), new Set(['a', 1]));
    });

    it('sends long number arrays in bulk, preserving ints and floats', async () => {
      const arr = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? i + 0.5 : i));
      assert.equal(await p.call('builtins', 'sum', [arr]), arr.reduce((a, b) => a + b, 0));
      assert.deepEqual(await roundTrip(arr), arr);
      await p.exec('def kinds(xs):\n    return sorted({type(x).__name__ for x in xs})');
      assert.deepEqual(await p.call('__main__', 'kinds', [arr]), ['float', 'int']);
      const mixed = [...Array(20).keys(), 'x'];
      assert.deepEqual(await roundTrip(mixed), mixed);
    });

    it('refuses functions, symbols and cycles with a TypeError naming the path', async () => {
      await assert.rejects(p.call('__main__', 'ident', [{ a: { b: () => 1 } }]), (e: unknown) =>
        e instanceof TypeError && /args\[0\]\.a\.b/.test(e.message) && /function/.test(e.message));
      await assert.rejects(p.call('__main__', 'ident', [[1, Symbol('s')]]), /args\[0\]\[1\].*Symbol/);
      const cyc: Record<string, unknown> = { x: 1 };
      cyc['self'] = cyc;
      await assert.rejects(p.call('__main__', 'ident', [cyc]), /args\[0\]\.self.*cycle/);
      await assert.rejects(p.eval('a', { a: () => 0 }), /locals\.a/);
    });

    it('refuses nesting deeper than the limit without crashing', async () => {
      let deep: unknown[] = [];
      const root = deep;
      for (let i = 0; i < 10_000; i++) {
        const next: unknown[] = [];
        deep.push(next);
        deep = next;
      }
      await assert.rejects(p.call('__main__', 'ident', [root]), (e: unknown) => e instanceof TypeError && /nesting deeper than 1000/.test(e.message));
      assert.equal(await p.eval('1 + 1'), 2, 'the process still works');
    });
  });
});
