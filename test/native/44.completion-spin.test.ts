/**
 * The completion spin (native/src/objects/completion_spin.h): after a turn that submitted work,
 * the JS thread may spin briefly before the event loop sleeps, and dispatch a completion pushed
 * meanwhile itself instead of being woken for it. These tests hold it to what the ordinary path
 * does (order, errors, promise continuations, the rest of the event loop) and check that it
 * backs off when calls are slow.
 */
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PythonError } from '../../src/core';
import type { Python } from '../../src/core';
import type { NativeEngine } from '../../src/engine/native';
import { getPython, uniqueId } from './_setup';

/** The engine behind the public API (an internal: the spin has no public knob). */
const engineOf = (py: Python): NativeEngine => (py as unknown as { engine: NativeEngine }).engine;

describe('completion spin', () => {
  let py: Python;
  let engine: NativeEngine;
  before(async () => {
    py = await getPython();
    engine = engineOf(py);
  });
  // Every test leaves the default window behind.
  afterEach(() => engine.setSpin(40));

  it('dispatches back-to-back awaited calls itself, with results in order', async () => {
    const p = py.process(uniqueId());
    const before = engine.spinStats();
    // Idle, the first call is handed over. On a machine whose cores are all busy the context
    // thread may not get one within the window (the spinner holds one): then keep calling, with
    // the back-off cleared each time, until one is, or for at most 10 s.
    const deadline = performance.now() + 10_000;
    let calls = 0;
    while (engine.spinStats().hits === before.hits && performance.now() < deadline) {
      engine.setSpin(1000);
      assert.equal(await p.call('operator', 'add', [calls, 1]), calls + 1);
      calls++;
    }
    const after = engine.spinStats();
    assert.ok(after.hits > before.hits, `no completion was handed to the spin in ${calls} calls: ${JSON.stringify({ before, after })}`);
    // And results keep their order through both paths.
    for (let i = 0; i < 300; i++) assert.equal(await p.call('operator', 'add', [i, 1]), i + 1);
    await p.close();
  });

  it('keeps output before the result, and rejects with PythonError, when the spin dispatches', async () => {
    engine.setSpin(1000);
    const p = py.process(uniqueId());
    for (let i = 0; i < 50; i++) {
      const seen: string[] = [];
      const result = await p.run(`print('out ${i}')\n${i}`, { onOutput: (_s, text) => seen.push(text) });
      assert.equal(result, i);
      assert.equal(seen.join(''), `out ${i}\n`);
      const err = await p.run('1 / 0').then(
        () => assert.fail('1 / 0 resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PythonError);
      assert.equal(err.type, 'ZeroDivisionError');
      assert.match(err.traceback, /ZeroDivisionError/);
    }
    await p.close();
  });

  it('runs promise continuations and process.nextTick callbacks right after a dispatch from the spin', async () => {
    engine.setSpin(1000);
    const p = py.process(uniqueId());
    const order: string[] = [];
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve, reject) => {
        p.call('operator', 'add', [i, 1000]).then((v) => {
          order.push(`then ${String(v)}`);
          process.nextTick(() => {
            order.push(`tick ${i}`);
            resolve();
          });
        }, reject);
        setTimeout(() => order.push(`timer ${i}`), 0);
      });
    }
    // A continuation's nextTick runs before the loop goes on to anything else (here: a timer
    // queued before the call settled can come before or after, never between the two).
    for (let i = 0; i < 20; i++) {
      const then = order.indexOf(`then ${i + 1000}`);
      assert.equal(order[then + 1], `tick ${i}`, order.join(', '));
    }
    await p.close();
  });

  it('leaves timers and I/O running while awaited calls follow each other for 300 ms', async () => {
    engine.setSpin(1000);
    const p = py.process(uniqueId());
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 1);
    let reads = 0;
    let reading = true;
    const io = (async () => {
      while (reading) {
        await readFile(__filename);
        reads++;
      }
    })();
    const end = performance.now() + 300;
    let calls = 0;
    try {
      while (performance.now() < end) {
        await p.call('math', 'sqrt', [16]);
        calls++;
      }
    } finally {
      clearInterval(timer);
      reading = false;
      await io;
    }
    assert.ok(calls > 20, `only ${calls} calls in 300 ms`);
    assert.ok(ticks >= 30, `a 1 ms interval ticked ${ticks} times in 300 ms of calls`);
    assert.ok(reads >= 10, `a file was read ${reads} times in 300 ms of calls`);
    assert.ok(maxGap < 100, `the 1 ms interval waited ${maxGap.toFixed(1)} ms at most`);
    await p.close();
  });

  it('backs off after a call that outlasts the window, and spins no more once turned off', async () => {
    const p = py.process(uniqueId());
    // A spin armed by an earlier call may still be due (it runs before the loop next sleeps) and
    // could miss after the reset in afterEach, and a turn with events already waiting does not
    // spin at all: so let pending work run, reset, and try the slow call up to 5 times.
    let before = engine.spinStats();
    let afterSlow = before;
    for (let tries = 0; tries < 5 && afterSlow.misses === before.misses; tries++) {
      await new Promise((r) => setImmediate(r));
      engine.setSpin(40);
      before = engine.spinStats();
      await p.run('import time\ntime.sleep(0.05)');
      afterSlow = engine.spinStats();
    }
    assert.ok(afterSlow.misses > before.misses, `a 50 ms call was not a miss in 5 tries: ${JSON.stringify({ before, afterSlow })}`);
    // Bounded by the 40 µs window, not by the 50 ms call (generous: a yield can return late on a busy machine).
    assert.ok(afterSlow.spunUs - before.spunUs < 25_000, `spun ${afterSlow.spunUs - before.spunUs} µs for one slow call`);
    // The next armed turn skips instead of spinning again.
    await p.run('1');
    assert.ok(engine.spinStats().skipped > afterSlow.skipped, 'the turn after a miss spun again');

    engine.setSpin(0);
    const off = engine.spinStats();
    for (let i = 0; i < 50; i++) await p.call('math', 'sqrt', [4]);
    assert.deepEqual(engine.spinStats(), off);
    await p.close();
  });

  it('setSpin names a wrong argument', () => {
    assert.throws(() => engine.setSpin(-1), /setSpin\(us\): us must be between 0 and 1000/);
    assert.throws(() => (engine.setSpin as (v: unknown) => void)('5'), /setSpin\(us\) expects a number/);
  });
});
