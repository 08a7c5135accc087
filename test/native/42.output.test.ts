import * as assert from 'node:assert/strict';
import { getPython, uniqueId } from './_setup';

/** Characters of the numbers 0..n-1 written in decimal. */
function sumDigits(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += String(i).length;
  return sum;
}

describe('output streaming', () => {
  it('streams stdout and stderr in order', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const chunks: [string, string][] = [];
    await p.exec('import sys\nprint("a")\nprint("b", file=sys.stderr)\nsys.stdout.write("c")\nprint("d")', {
      onOutput: (s, t) => {
        // Chunk boundaries depend on timing; order and stream tags must not.
        const last = chunks[chunks.length - 1];
        if (last && last[0] === s) last[1] += t;
        else chunks.push([s, t]);
      },
    });
    assert.deepEqual(chunks, [['stdout', 'a\n'], ['stderr', 'b\n'], ['stdout', 'cd\n']]);
    await p.close();
  });

  it('hands a flood to JS in bounded turns: the event loop turns between batches', async () => {
    // The addon dispatches at most 256 KiB of output per wake-up (two wake-ups can run back
    // to back: the thread-safe call, then engine.drain() from setImmediate). Before, up to
    // the 8 MiB backlog went to JS in one go, a stall of 100 ms in the extension host.
    const py = await getPython();
    const p = py.process(uniqueId());
    let sinceTick = 0;
    let maxPerTurn = 0;
    let total = 0;
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      sinceTick = 0;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await p.exec('for i in range(300_000): print("line", i, "x" * 40)', {
      onOutput: (_s, t) => {
        sinceTick += t.length;
        total += t.length;
        if (sinceTick > maxPerTurn) maxPerTurn = sinceTick;
      },
    });
    running = false;
    // "line ", the number, a space, 40 x and the newline: nothing lost or doubled.
    assert.equal(total, 300_000 * 47 + sumDigits(300_000));
    assert.ok(maxPerTurn <= 2 * 256 * 1024 + 64 * 1024, `${maxPerTurn} characters reached JS between two turns`);
    assert.ok(ticks > 10, `only ${ticks} turns of the event loop while 15 MB arrived`);
    await p.close();
  });

  it('delivers output while the code is still running', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    let seenBeforeEnd = false;
    let done = false;
    const running = p.exec('import time\nprint("early")\ntime.sleep(0.3)\nprint("late")', {
      onOutput: (_s, t) => {
        if (t.includes('early') && !done) seenBeforeEnd = true;
      },
    });
    await running;
    done = true;
    assert.ok(seenBeforeEnd);
    await p.close();
  });

  it('never mixes output of concurrent calls on different contexts', async () => {
    const py = await getPython();
    const a = py.process(uniqueId());
    const b = py.process(uniqueId());
    let outA = '';
    let outB = '';
    const code = (tag: string) => `for i in range(2000):\n    print("${tag}", i)`;
    await Promise.all([
      a.exec(code('A'), { context: py.context(1), onOutput: (_s, t) => (outA += t) }),
      b.exec(code('B'), { context: py.context(2), onOutput: (_s, t) => (outB += t) }),
    ]);
    const expect = (tag: string) => Array.from({ length: 2000 }, (_, i) => `${tag} ${i}\n`).join('');
    assert.equal(outA, expect('A'));
    assert.equal(outB, expect('B'));
    await a.close();
    await b.close();
  });

  it('discards output without onOutput, and keeps unicode intact', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('print("nobody listens")');
    let out = '';
    await p.exec('print("héllo 😀 \\ud800")', { onOutput: (_s, t) => (out += t) });
    assert.equal(out, 'héllo 😀 \ufffd\n');
    await p.close();
  });

  it('passes input() through onInput, and cancelling raises KeyboardInterrupt', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const prompts: string[] = [];
    assert.equal(await p.run('input("name? ") + "!"', { onInput: async (q) => (prompts.push(q), 'Ada') }), 'Ada!');
    assert.deepEqual(prompts, ['name? ']);
    await assert.rejects(p.run('input()', { onInput: async () => undefined }), /KeyboardInterrupt/);
    await assert.rejects(p.run('input()'), /EOFError/);
    await p.close();
  });
});

describe('output streams survive user code', () => {
  it('puts back sys.stdout set to None or closed by a call', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('import sys\nsys.stdout = None');
    let out = '';
    await p.exec('print("still here")', { onOutput: (_s, t) => (out += t) });
    assert.equal(out, 'still here\n');
    await p.exec('import io, sys\nsys.stderr = io.StringIO()\nsys.stderr.close()');
    let err = '';
    await p.exec('import sys\nprint("e", file=sys.stderr)', { onOutput: (_s, t) => (err += t) });
    assert.equal(err, 'e\n');
    await p.close();
  });
});
