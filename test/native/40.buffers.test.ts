/**
 * Buffer-protocol objects (numpy arrays, array.array, memoryview) reach JS as typed
 * arrays, and lists of plain numbers take the bulk path (issue 13). The sharing tests
 * are the ones `npm run test:asan -- out/test/native/40.buffers.test.js` checks for reads
 * of freed memory.
 */
import * as assert from 'node:assert/strict';
import { PyValue } from '../../src/core';
import type { PyProcess } from '../../src/core';
import { getPython, uniqueId } from './_setup';

declare const gc: () => void;

interface NdArray {
  shape: number[];
  dtype: string;
  data: ArrayBufferView;
}

/** Runs JS GC passes until Python sees `cond` true (the release crosses a thread). */
async function gcUntil(p: PyProcess, cond: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    if ((await p.eval(cond)) === true) return true;
  }
  return false;
}

describe('buffers and number lists, Python -> JS', () => {
  let p: PyProcess;
  // numpy comes from apt for Debian's Python; the matrix's source-built 3.13 and 3.13t have none
  // (no PyPI here), and there the numpy tests are reported as pending, never as passing.
  let hasNumpy = false;
  before(async () => {
    const py = await getPython();
    p = py.process(uniqueId('buf'));
    await p.exec('import array, gc, importlib.util, weakref');
    hasNumpy = (await p.eval("importlib.util.find_spec('numpy') is not None")) === true;
    if (hasNumpy) await p.exec('import numpy as np');
  });
  after(() => p.close());
  function needsNumpy(this: Mocha.Context): void {
    if (!hasNumpy) this.skip();
  }

  describe('array.array and memoryview become typed arrays', () => {
    it('maps array.array and memoryview too; bytes and bytearray stay Buffers', async () => {
      assert.deepEqual(await p.eval("array.array('i', [1, -2, 3])"), new Int32Array([1, -2, 3]));
      assert.deepEqual(await p.eval("array.array('d', [0.5])"), new Float64Array([0.5]));
      assert.deepEqual(await p.eval("memoryview(array.array('h', [7, 8]))"), new Int16Array([7, 8]));
      const m = (await p.eval("memoryview(bytes(range(6))).cast('B', (2, 3))")) as NdArray;
      assert.deepEqual([m.shape, m.dtype, [...(m.data as Uint8Array)]], [[2, 3], 'uint8', [0, 1, 2, 3, 4, 5]]);
      assert.ok(Buffer.isBuffer(await p.eval('b"ab"')));
      assert.ok(Buffer.isBuffer(await p.eval('bytearray(b"ab")')));
    });

    it('round-trips a JS typed array through Python as the same kind of array', async () => {
      await p.exec('def ident(x):\n    return x');
      assert.deepEqual(await p.call('__main__', 'ident', [new Float32Array([1, 2.5])]), new Float32Array([1, 2.5]));
      assert.deepEqual(await p.call('__main__', 'ident', [new Int32Array(5000).fill(3)]), new Int32Array(5000).fill(3));
    });

  });

  describe('numpy arrays become typed arrays', () => {
    beforeEach(needsNumpy);

    it('maps each numpy dtype to its typed array, values exact', async () => {
      const cases: [string, new (n: number) => ArrayBufferView][] = [
        ['float64', Float64Array], ['float32', Float32Array], ['int8', Int8Array], ['uint8', Uint8Array],
        ['int16', Int16Array], ['uint16', Uint16Array], ['int32', Int32Array], ['uint32', Uint32Array],
        ['int64', BigInt64Array], ['uint64', BigUint64Array],
      ];
      for (const [dtype, ctor] of cases) {
        const a = (await p.eval(`np.array([0, 1, 2, 100], dtype='${dtype}')`)) as ArrayBufferView;
        assert.ok(a instanceof ctor, `${dtype} -> ${ctor.name}, got ${Object.prototype.toString.call(a)}`);
        const big = dtype.includes('int64');
        assert.deepEqual([...(a as unknown as Iterable<number | bigint>)], big ? [0n, 1n, 2n, 100n] : [0, 1, 2, 100]);
      }
      const f = (await p.eval('np.array([1.5, -0.0, float("nan"), float("inf")])')) as Float64Array;
      assert.equal(f[0], 1.5);
      assert.ok(Object.is(f[1], -0));
      assert.ok(Number.isNaN(f[2]));
      assert.equal(f[3], Infinity);
    });

    it('maps 2-D and N-D arrays to { shape, dtype, data } in C order, whatever the memory order', async () => {
      const c = (await p.eval('np.arange(6, dtype=np.float64).reshape(2, 3)')) as NdArray;
      assert.deepEqual(c.shape, [2, 3]);
      assert.equal(c.dtype, 'float64');
      assert.ok(c.data instanceof Float64Array);
      assert.deepEqual([...(c.data as Float64Array)], [0, 1, 2, 3, 4, 5]);
      const f = (await p.eval('np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3))')) as NdArray;
      assert.deepEqual([f.shape, f.dtype, [...(f.data as Int32Array)]], [[2, 3], 'int32', [0, 1, 2, 3, 4, 5]]);
      const cube = (await p.eval('np.arange(24, dtype=np.uint8).reshape(2, 3, 4)')) as NdArray;
      assert.deepEqual(cube.shape, [2, 3, 4]);
      assert.equal((cube.data as Uint8Array)[23], 23);
      const scalar = (await p.eval('np.array(2.5)')) as NdArray;
      assert.deepEqual([scalar.shape, [...(scalar.data as Float64Array)]], [[], [2.5]]);
    });

    it('copies strided views into order', async () => {
      const a = (await p.eval('np.arange(10, dtype=np.float64)[::3]')) as Float64Array;
      assert.deepEqual([...a], [0, 3, 6, 9]);
      const t = (await p.eval('np.arange(6, dtype=np.int16).reshape(2, 3).T')) as NdArray;
      assert.deepEqual([t.shape, [...(t.data as Int16Array)]], [[3, 2], [0, 3, 1, 4, 2, 5]]);
    });

    it('leaves what has no typed array as a PyValue: bool, complex, object, big-endian, structured, ndarray subclasses', async () => {
      for (const code of [
        'np.array([True, False])', 'np.array([1j])', 'np.array([None, 1], dtype=object)', "np.array([1.0], dtype='>f8')",
        "np.zeros(2, dtype=[('a', 'i4'), ('b', 'f8')])", 'np.ma.masked_array([1.0, 2.0], mask=[0, 1])', "np.array(['ab'])",
      ]) {
        const v = await p.eval(code);
        assert.ok(v instanceof PyValue, `${code} -> ${String(v)}`);
      }
    });
  });

  describe('sharing numpy memory without a copy', () => {
    beforeEach(needsNumpy);

    it('shares a C-contiguous writable array: writes on either side are seen by the other', async () => {
      const a = (await p.run('shared = np.zeros(1024)\nshared')) as Float64Array;
      assert.equal(a.length, 1024);
      await p.exec('shared[0] = 5');
      assert.equal(a[0], 5, 'JS sees a write made in Python after the hand-over');
      a[1] = 7;
      assert.equal(await p.eval('float(shared[1])'), 7, 'Python sees a write made in JS');
      await p.exec('del shared');
    });

    it('copies when asked (copyBuffers), for small arrays and for read-only ones', async () => {
      await p.exec('big = np.zeros(1024)\nsmall = np.zeros(8)\nro = np.zeros(1024)\nro.flags.writeable = False');
      const copied = (await p.eval('big', undefined, { copyBuffers: true })) as Float64Array;
      const small = (await p.eval('small')) as Float64Array;
      const ro = (await p.eval('ro')) as Float64Array;
      await p.exec('big[0] = 1\nsmall[0] = 1');
      assert.deepEqual([copied[0], small[0]], [0, 0]);
      ro[0] = 9;
      assert.equal(await p.eval('float(ro[0])'), 0, 'a write in JS never reaches read-only Python memory');
      await assert.rejects(p.eval('big', undefined, { copyBuffers: 'yes' as unknown as boolean }),
        (e: Error) => e instanceof TypeError && /opts\.copyBuffers/.test(e.message));
      await p.exec('del big, small, ro');
    });

    it('copies array.array, so Python can still resize it while JS holds the typed array', async () => {
      const a = (await p.run("grow = array.array('d', [1.0] * 1024)\ngrow")) as Float64Array;
      await p.exec('grow.extend([2.0] * 100000)\ngrow[0] = 3.0');
      assert.deepEqual([a.length, a[0]], [1024, 1]);
      await p.exec('del grow');
    });

    it('keeps the array alive while JS holds the view, and lets go once JS drops it (GC in JS, then in Python)', async () => {
      await p.exec([
        'def make():',
        '    global alive',
        '    a = np.arange(100_000, dtype=np.float64)',
        '    alive = weakref.ref(a)',
        '    return a',
      ].join('\n'));
      let view: Float64Array | undefined = (await p.call('__main__', 'make')) as Float64Array;
      // The Python side has no name for it any more; collect there and check the memory.
      await p.exec('gc.collect()');
      assert.equal(await p.eval('alive() is not None'), true, 'the typed array keeps the numpy array alive');
      await p.exec('x = np.ones(300_000)\ndel x\ngc.collect()');  // reuse freed memory, if any were freed
      assert.equal(view[99_999], 99_999);
      assert.equal(view.reduce((s, v) => s + v, 0), (99_999 * 100_000) / 2);
      view = undefined;
      assert.equal(await gcUntil(p, '(gc.collect() or True) and alive() is None'), true, 'released after the JS GC');
    });

    it('never reads freed memory when Python resizes or deletes the array after the hand-over', async () => {
      await p.exec('arr = np.arange(200_000, dtype=np.int32)');
      const view = (await p.eval('arr')) as Int32Array;
      // numpy refuses to resize an array something else references (our export is one)...
      const err = await p.exec('arr.resize(400_000)').then(() => undefined, (e: Error) => e);
      assert.ok(err && /cannot resize/.test(err.message), `resize should be refused, got ${String(err)}`);
      // ...while np.resize and reassignment make a new array, and del drops the name only.
      await p.exec('arr = np.resize(arr, 400_000)\narr[:] = -1\ndel arr\ngc.collect()');
      await p.exec('junk = [np.full(200_000, 7, dtype=np.int32) for _ in range(4)]\ndel junk\ngc.collect()');
      assert.equal(view[0], 0);
      assert.equal(view[199_999], 199_999);
      let sum = 0;
      for (const v of view) sum += v;
      assert.equal(sum, (199_999 * 200_000) / 2);
    });

    it('survives many shared arrays dropped at once (one GIL hold releases the batch)', async () => {
      await p.exec([
        'def many():',
        '    global refs',
        '    out = [np.full(1024, i, dtype=np.float64) for i in range(200)]',
        '    refs = [weakref.ref(a) for a in out]',
        '    return out',
      ].join('\n'));
      let arrays: Float64Array[] | undefined = (await p.call('__main__', 'many')) as Float64Array[];
      assert.equal(arrays.length, 200);
      assert.equal(arrays[199]![1023], 199);
      arrays = undefined;
      assert.equal(await gcUntil(p, '(gc.collect() or True) and all(r() is None for r in refs)'), true);
      await p.exec('del refs');
    });
  });

  describe('lists of numbers', () => {
    it('converts int and float lists and tuples in bulk, same values as one by one', async () => {
      assert.deepEqual(await p.eval('list(range(100))'), [...Array(100).keys()]);
      assert.deepEqual(await p.eval('tuple(x * 0.5 for x in range(20))'), [...Array(20).keys()].map((x) => x * 0.5));
      const mixed = (await p.eval('[1, 2.5, -0.0, float("nan"), 2**53 - 1, -(2**53 - 1)] * 3')) as number[];
      assert.equal(mixed.length, 18);
      assert.ok(Object.is(mixed[2], -0) && Number.isNaN(mixed[3]) && mixed[4] === Number.MAX_SAFE_INTEGER);
      assert.ok(Array.isArray(mixed));
    });

    it('widens from int32 to doubles mid-list, and keeps ints beyond int32 exact', async () => {
      assert.deepEqual(await p.eval('[1] * 20 + [0.5, 3]'), [...Array(20).fill(1), 0.5, 3]);
      assert.deepEqual(await p.eval('[2**31 - 1, -2**31] * 8 + [2**31, 2**40]'), [...Array(8).fill([2 ** 31 - 1, -(2 ** 31)]).flat(), 2 ** 31, 2 ** 40]);
    });

    it('keeps number lists exact through the shared state, Python to Python and to JS', async () => {
      const py = await getPython();
      await p.exec([
        'from py_contexts import state',
        "state['nums-i'] = list(range(40))",
        "state['nums-d'] = [0.5] * 20 + [1]",
        "ok = state['nums-i'] == list(range(40)) and state['nums-d'] == [0.5] * 20 + [1]",
        "kinds = {type(x).__name__ for x in state['nums-i']}",
      ].join('\n'));
      assert.equal(await p.eval('ok'), true);
      assert.deepEqual(await p.eval('sorted(kinds)'), ['int']);
      assert.deepEqual(await py.state.get('nums-i'), [...Array(40).keys()]);
      assert.deepEqual(await py.state.get('nums-d'), [...Array(20).fill(0.5), 1]);
      await p.exec("del state['nums-i'], state['nums-d']");
    });

    it('falls back element by element for bools, big ints and anything else', async () => {
      const bools = (await p.eval('[1] * 20 + [True]')) as unknown[];
      assert.equal(bools[20], true);
      const big = (await p.eval('[1] * 20 + [2**53]')) as unknown[];
      assert.equal(big[20], 2n ** 53n);
      assert.equal(((await p.eval('[1] * 20 + ["a"]')) as unknown[])[20], 'a');
      assert.deepEqual(await p.eval('[[1] * 20, (2.5,) * 16]'), [Array(20).fill(1), Array(16).fill(2.5)]);
    });

    it('moves 10^6 numbers as a plain array', async () => {
      const a = (await p.eval('list(range(1_000_000))')) as number[];
      assert.equal(a.length, 1_000_000);
      assert.equal(a[999_999], 999_999);
      assert.equal(a.reduce((s, v) => s + v, 0), (999_999 * 1_000_000) / 2);
    });
  });
});
