/**
 * Notebook magics (python/py_contexts/magics.py) in the embedded interpreter, where several
 * contexts share one `sys`: what a plain python cannot show.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { PythonError } from '../../src/core';
import { transformMagics } from '../../src/surfaces/notebook/magics';
import { getPython, uniqueId } from './_setup';

/** Runs a notebook cell as the notebook controller does: rewritten, under its own file name. */
function cell(source: string, filename: string) {
  return { code: transformMagics(source), opts: { filename, firstLine: 1, sourceText: source } };
}

describe('notebook magics in contexts', () => {
  it('%%time reports the failing line of the cell itself in the traceback', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const c = cell('%%time\nx = 1\n1 / 0\n', 'cell-time.py');
    const err = await p.run(c.code, c.opts).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PythonError, String(err));
    assert.equal(err.type, 'ZeroDivisionError');
    const last = err.frames[err.frames.length - 1];
    assert.deepEqual([last?.file, last?.line], ['cell-time.py', 3], JSON.stringify(err.frames));
    assert.match(err.traceback, /1 \/ 0/, 'the source line is shown (registered with linecache)');
    await p.close();
  });

  it('%%timeit and %timeit take -n and -r on the magic line, and %%timeit a setup statement after them', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    let out = '';
    const onOutput = (_s: string, t: string): void => void (out += t);
    const c = cell('%%timeit -n 3 -r 2 base = 100\nsum(range(base))\n', 'cell-timeit.py');
    await p.run(c.code, { ...c.opts, onOutput });
    assert.match(out, /per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)/);
    out = '';
    const l = cell('%timeit -r 1 -n 2 sum(range(10))\n', 'cell-timeit-line.py');
    await p.run(l.code, { ...l.opts, onOutput });
    assert.match(out, /of 1 run, 2 loops each/);
    await p.close();
  });

  it('%%capture takes only its own prints, not those of a notebook running at the same time', async () => {
    const py = await getPython();
    const a = py.process(uniqueId('capture'));
    const b = py.process(uniqueId('other'));
    let outA = '';
    let outB = '';
    const loop = (word: string) => `import time\nfor i in range(20):\n    print("${word}", i)\n    time.sleep(0.01)\n`;
    const c = cell(`%%capture out\n${loop('hidden')}`, 'cell-capture.py');
    await Promise.all([
      a.run(c.code, { ...c.opts, context: py.context(1), onOutput: (_s, t) => (outA += t) }),
      b.run(loop('shown'), { context: py.context(2), onOutput: (_s, t) => (outB += t) }),
    ]);
    assert.equal(outA, '', 'the capturing cell printed nothing');
    assert.equal(outB.split('\n').filter((l) => l.startsWith('shown')).length, 20, outB);
    const captured = (await a.run('out.stdout', { context: py.context(1) })) as string;
    assert.equal(captured.split('\n').filter((l) => l.startsWith('hidden')).length, 20, captured);
    assert.doesNotMatch(captured, /shown/);
    // Once no capture runs, sys.stdout is the runtime's own stream again.
    assert.equal(await b.run('type(__import__("sys").stdout).__name__'), '_Stream');
    await Promise.all([a.close(), b.close()]);
  });

  it('%%capture also takes the prints of threads the cell starts, and only while it runs', async () => {
    const py = await getPython();
    const p = py.process(uniqueId('capture-threads'));
    let out = '';
    const onOutput = (_s: string, t: string): void => {
      out += t;
    };
    const c = cell([
      '%%capture cap',
      'import threading, sys',
      // One write per line: print() writes its arguments, separators and end one by one, and
      // on 3.13t the threads run at once, so their pieces interleave (as under `python`).
      'def work(n):',
      '    print(f"from thread {n}\\n", end="", flush=True)',
      '    print(f"thread err {n}\\n", end="", file=sys.stderr)',
      'ts = [threading.Thread(target=work, args=(n,)) for n in range(3)]',
      'for t in ts: t.start()',
      'for t in ts: t.join()',
      'print("from cell")',
      'late = threading.Event()',
      'def after():',
      '    late.wait()',
      '    print("after the cell", flush=True)',
      'straggler = threading.Thread(target=after)',
      'straggler.start()',
      '',
    ].join('\n'), 'cell-capture-threads.py');
    await p.run(c.code, { ...c.opts, onOutput });
    assert.equal(out, '', 'the capturing cell and its threads printed nothing');
    const captured = (await p.run('cap.stdout')) as string;
    assert.deepEqual(captured.split('\n').filter(Boolean).sort(), ['from cell', 'from thread 0', 'from thread 1', 'from thread 2']);
    assert.equal(((await p.run('cap.stderr')) as string).split('\n').filter(Boolean).length, 3);
    // A thread still running after the cell writes to the document again, as in IPython.
    let background = '';
    const listening = p.onBackgroundOutput((_s, t) => {
      background += t;
    });
    await p.run('late.set()\nstraggler.join()', { onOutput });
    listening.dispose();
    assert.match(out + background, /after the cell/);
    assert.equal(await p.run('type(__import__("sys").stdout).__name__'), '_Stream');
    await p.close();
  });

  it('%%writefile writes a relative path in its process\'s folder, and after %cd in the new one', async () => {
    const py = await getPython();
    const tmp = (n: string): string => realpathSync(mkdtempSync(join(os.tmpdir(), `pyc-writefile-${n}-`)));
    const da = tmp('a');
    const db = tmp('b');
    try {
      for (const d of [da, db]) mkdirSync(join(d, 'sub', 'rel'), { recursive: true });
      for (const d of [da, db]) mkdirSync(join(d, 'rel'));
      // Both on one context, one after the other: the context moves between the two folders.
      const context = py.context(1);
      const a = py.process(uniqueId('writefile'), { cwd: da });
      const b = py.process(uniqueId('writefile'), { cwd: db });
      let out = '';
      const run = (p: typeof a, source: string): Promise<unknown> => {
        const c = cell(source, 'cell-writefile.py');
        return p.run(c.code, { ...c.opts, context, onOutput: (_s, t) => void (out += t) });
      };
      await run(a, '%%writefile rel/path.txt\nfrom a\n');
      await run(b, '%%writefile rel/path.txt\nfrom b\n');
      assert.equal(out, 'Writing rel/path.txt\nWriting rel/path.txt\n');
      assert.equal(readFileSync(join(da, 'rel', 'path.txt'), 'utf8'), 'from a\n');
      assert.equal(readFileSync(join(db, 'rel', 'path.txt'), 'utf8'), 'from b\n');
      assert.equal(existsSync(join(process.cwd(), 'rel', 'path.txt')), false, 'nothing lands in the host\'s directory');

      out = '';
      await run(a, '%cd -q sub');
      await run(a, '%%writefile -a rel/path.txt\nafter cd\n');
      await run(b, '%%writefile -a rel/path.txt\nappended\n');
      assert.equal(out, 'Appending to rel/path.txt\nAppending to rel/path.txt\n');
      assert.equal(readFileSync(join(da, 'sub', 'rel', 'path.txt'), 'utf8'), 'after cd\n');
      assert.equal(readFileSync(join(da, 'rel', 'path.txt'), 'utf8'), 'from a\n', '%cd moved where a writes');
      assert.equal(readFileSync(join(db, 'rel', 'path.txt'), 'utf8'), 'from b\nappended\n', 'and only a');
      await Promise.all([a.close(), b.close()]);
    } finally {
      for (const d of [da, db]) rmSync(d, { recursive: true, force: true });
    }
  });
});
