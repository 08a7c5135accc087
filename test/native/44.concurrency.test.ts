import * as assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getPython, uniqueId } from './_setup';

describe('concurrency', () => {
  it('runs 5,000 concurrent calls across processes with correct results', async () => {
    const py = await getPython();
    const procs = Array.from({ length: 50 }, () => py.process(uniqueId('c')));
    await Promise.all(procs.map((p, i) => p.exec(`k = ${i}`)));
    const calls: Promise<unknown>[] = [];
    const expected: number[] = [];
    for (let n = 0; n < 5000; n++) {
      const i = n % procs.length;
      calls.push(procs[i]!.eval('k * 1000 + n', { n }));
      expected.push(i * 1000 + n);
    }
    assert.deepEqual(await Promise.all(calls), expected);
    await Promise.all(procs.map((p) => p.close()));
  });

  it('keeps the event loop responsive during a long CPU-bound call', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await Promise.all([
      p.run('x = 0\nfor i in range(15_000_000):\n    x += i\nx', { context: py.context(1) }),
      p.run('y = 0\nfor i in range(15_000_000):\n    y += i\ny', { context: py.context(1) }),
      p.run('z = 0\nfor i in range(15_000_000):\n    z += i\nz', { context: py.context(2) }),
    ]);
    h.disable();
    const maxLagMs = h.max / 1e6;
    // Generous: the JS thread never takes the GIL, so lag is only timer noise.
    assert.ok(maxLagMs < 200, `event loop stalled ${maxLagMs.toFixed(1)} ms`);
    await p.close();
  });
});
