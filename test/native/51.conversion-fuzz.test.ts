/**
 * Issue 5: property-based conversion fuzzing with fast-check. Random nested values go
 * JS -> Python -> JS through an identity function and must come back equal (after the
 * documented normalisations), or fail with a TypeError; nothing may crash. Random
 * Python values go the other way and must compare equal in Python after the trip.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { PythonError, PyValue } from '../../src/core';
import type { PyProcess } from '../../src/core';
import { getPython, uniqueId } from './_setup';

const SEED = Number(process.env['FUZZ_SEED'] ?? 5_2026_1128);

/** What a JS value is expected to look like after JS -> Python -> JS (see the README conversion table). */
function normalize(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Set) return new Set([...v].map(normalize));
  if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => [normalize(k), normalize(x)] as [unknown, unknown]);
    // A dict whose keys are all str comes back as a plain object.
    if (entries.every(([k]) => typeof k === 'string')) return Object.fromEntries(entries);
    return new Map(entries);
  }
  if (typeof v === 'object') {
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

// UTF-16 code units, lone surrogates included: JS strings may hold them and so may Python's.
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const str = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: anyUnit }));
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: anyUnit, maxLength: 4 }), fc.constantFrom('__proto__', 'constructor', '0', '-1', ''));

const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(), // NaN, ±Infinity, -0 and integral doubles beyond 2^53 included
  fc.bigInt(),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  str,
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ maxLength: 16 }),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 6 }),
    // Long all-number arrays take the bulk (Float64Array) path in the addon.
    fc.array(fc.oneof(fc.maxSafeInteger(), fc.double()), { minLength: 16, maxLength: 40 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    fc.array(fc.tuple(fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null)), tie('value')), { maxLength: 5 }).map((e) => new Map(e)),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 6 })), { maxLength: 6 }).map((e) => new Set(e)),
  ),
}));

describe('conversion fuzz (issue 5)', function () {
  this.timeout(300_000);
  let p: PyProcess;

  before(async () => {
    const py = await getPython();
    p = py.process(uniqueId('fuzz'));
    await p.exec(
      'def ident(x):\n    return x\n' +
        'def ident_all(*a):\n    return list(a)\n' +
        'import random\n' +
        'def build(seed):\n' +
        '    r = random.Random(seed)\n' +
        '    def v(depth):\n' +
        '        k = r.randrange(12 if depth < 5 else 7)\n' +
        '        if k == 0: return None\n' +
        '        if k == 1: return r.random() < 0.5\n' +
        '        if k == 2: return r.randint(-2**70, 2**70) if r.random() < 0.3 else r.randint(-1000, 1000)\n' +
        '        if k == 3: return r.uniform(-1e300, 1e300) if r.random() < 0.5 else r.random()\n' +
        '        if k == 4: return "".join(chr(r.choice([r.randrange(0x80), r.randrange(0x800), r.randrange(0xd800, 0xe000), r.randrange(0x10000, 0x110000)])) for _ in range(r.randrange(8)))\n' +
        '        if k == 5: return bytes(r.randrange(256) for _ in range(r.randrange(20)))\n' +
        '        if k == 6: return r.randrange(-2**53 + 1, 2**53)\n' +
        '        if k == 7: return [v(depth + 1) for _ in range(r.randrange(5))]\n' +
        '        if k == 8: return {str(r.random())[:5]: v(depth + 1) for _ in range(r.randrange(5))}\n' +
        '        if k == 9: return {r.randrange(100): v(depth + 1) for _ in range(1 + r.randrange(4))}\n' +
        '        if k == 10: return {r.randrange(100) for _ in range(r.randrange(5))}\n' +
        '        return [v(depth + 1) for _ in range(20 + r.randrange(10))] if r.random() < 0.2 else [r.random() for _ in range(20)]\n' +
        '    return v(0)\n' +
        // JS strings are UTF-16: a high surrogate followed by a low one comes back as the
        // astral character that pair encodes, so compare with pairs joined.
        'def canon(v):\n' +
        '    if isinstance(v, str): return v.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")\n' +
        '    if isinstance(v, list): return [canon(x) for x in v]\n' +
        '    if isinstance(v, dict): return {canon(k): canon(x) for k, x in v.items()}\n' +
        '    return v\n' +
        'def same(seed, x):\n' +
        '    return canon(build(seed)) == x\n',
    );
  });
  after(() => p.close());

  it('≥10,000 random nested JS values round-trip losslessly through Python', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        runs++;
        const back = await p.call('__main__', 'ident', [v]);
        assert.deepStrictEqual(back, normalize(v));
      }),
      { numRuns: 10_000, seed: SEED },
    );
    assert.equal(runs, 10_000);
  });

  it('5,000 arbitrary JS values (functions, symbols, dates, typed arrays, boxed, sparse, null-prototype…) convert or fail with TypeError, never crash', async () => {
    const tally = { converted: 0, typeErrors: 0 };
    const anything = fc.oneof(
      fc.anything({
        withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, withNullPrototype: true,
        withObjectString: true, withBoxedValues: true, withSparseArray: true, withUnicodeString: true, maxDepth: 6,
      }),
      fc.func(fc.integer()),
      fc.constantFrom(Symbol('s'), Symbol.iterator, () => 1, Math.max, new WeakMap(), /re/g, new Error('e'), Promise.resolve(1)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(anything, { maxLength: 3 }), async (args) => {
        try {
          await p.call('__main__', 'ident_all', args);
          tally.converted++;
        } catch (e) {
          assert.ok(e instanceof TypeError, `${(e as Error).name}: ${(e as Error).message}`);
          assert.match(e.message, /^Cannot convert (args|result)/);
          tally.typeErrors++;
        }
      }),
      { numRuns: 5_000, seed: SEED + 1 },
    );
    assert.equal(tally.converted + tally.typeErrors, 5_000);
    assert.ok(tally.typeErrors > 0 && tally.converted > 0, JSON.stringify(tally));
    assert.equal(await p.run('1 + 1'), 2);
  });

  it('10,000 random Python values survive Python -> JS -> Python (compared in Python)', async () => {
    let bigints = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const v = await p.call('__main__', 'build', [seed]);
        if (typeof v === 'bigint') bigints++;
        assert.ok(!(v instanceof PyValue), `seed ${seed}: ${String(v)}`);
        const same = await p.call('__main__', 'same', [seed, v]).catch((e: unknown) => e);
        if (same instanceof PythonError) assert.fail(`seed ${seed}: ${same.message}`);
        assert.equal(same, true, `seed ${seed} did not survive the round trip`);
      }),
      { numRuns: 10_000, seed: SEED + 2 },
    );
    assert.ok(bigints > 0);
  });
});
