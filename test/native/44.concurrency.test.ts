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

  it('runs a call or a cell as fast on a context other than the one that first imported or compiled it', async () => {
    // Free-threaded 3.13: dict.get() holds the dict's lock, and a lookup whose value another
    // thread owns takes it again and waits on itself (about 60 µs a call on this VM, against
    // 12). runtime._resolve and cells.compile_block looked sys.modules and the compile cache
    // up that way. The ratio of the two contexts' medians is measured in interleaved rounds.
    const py = await getPython();
    const first = py.process(uniqueId('first'));
    const other = py.process(uniqueId('other'));
    first.bind(py.context(2));
    other.bind(py.context(1));
    const code = `colorsys.rgb_to_hsv(0.2, 0.4, 0.4)  # ${uniqueId('cell')}`;
    await first.call('colorsys', 'rgb_to_hsv', [0.2, 0.4, 0.4]);
    await first.exec('import colorsys');
    await other.exec('import colorsys');
    await first.run(code);
    const times = { firstCall: [] as number[], otherCall: [] as number[], firstRun: [] as number[], otherRun: [] as number[] };
    const time = async (into: number[], f: () => Promise<unknown>): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const t0 = process.hrtime.bigint();
        await f();
        into.push(Number(process.hrtime.bigint() - t0));
      }
    };
    for (let round = 0; round < 6; round++) {
      await time(times.firstCall, () => first.call('colorsys', 'rgb_to_hsv', [0.2, 0.4, 0.4]));
      await time(times.otherCall, () => other.call('colorsys', 'rgb_to_hsv', [0.2, 0.4, 0.4]));
      await time(times.firstRun, () => first.run(code));
      await time(times.otherRun, () => other.run(code));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const callRatio = median(times.otherCall) / median(times.firstCall);
    const runRatio = median(times.otherRun) / median(times.firstRun);
    assert.ok(callRatio < 2.5, `call on the other context ${callRatio.toFixed(2)}× the first's`);
    assert.ok(runRatio < 2.5, `run on the other context ${runRatio.toFixed(2)}× the first's`);
    await Promise.all([first.close(), other.close()]);
  });
});
