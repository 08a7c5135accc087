/**
 * Working directories (issue 16): every process runs in its own folder. Context threads
 * detach their directory from the host (unshare(CLONE_FS)), enter the process's folder
 * before each job and record where the job left it.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import type { PythonError } from '../../src/core';
import { getPython, uniqueId } from './_setup';

/** A fresh folder (symlinks resolved, as os.getcwd() reports it) holding data.csv = `content`. */
function folder(content: string): string {
  const dir = realpathSync(mkdtempSync(join(os.tmpdir(), 'pyc-cwd-')));
  writeFileSync(join(dir, 'data.csv'), content);
  return dir;
}

describe('working directories', () => {
  const made: string[] = [];
  const dir = (content: string): string => {
    const d = folder(content);
    made.push(d);
    return d;
  };
  after(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  it('is per process on Linux', async () => {
    const py = await getPython();
    assert.equal(py.workingDirectories, 'per-process');
  });

  it('lets two processes on two contexts read their own data.csv by relative path at the same moment', async () => {
    const py = await getPython();
    const hostCwd = process.cwd();
    const da = dir('a,1\n');
    const db = dir('b,2\n');
    const a = py.process(uniqueId('cwd'), { cwd: da });
    const b = py.process(uniqueId('cwd'), { cwd: db });
    assert.equal(a.cwd, da);
    assert.equal(b.cwd, db);
    // Both calls meet at a barrier (a module object both can reach), read, and meet again,
    // so the two reads overlap in time on two threads.
    const barrier = `_pyc_cwd_barrier_${process.pid}_${Date.now()}`;
    const code = [
      'import os, sys, threading, types',
      `m = sys.modules.setdefault(${JSON.stringify(barrier)}, types.SimpleNamespace(b=threading.Barrier(2)))`,
      'm.b.wait(timeout=20)',
      "with open('data.csv') as f: text = f.read()",
      'here = os.getcwd()',
      'm.b.wait(timeout=20)',
      '(text, here)',
    ].join('\n');
    const [ra, rb] = await Promise.all([
      a.run(code, { context: py.context(1) }),
      b.run(code, { context: py.context(2) }),
    ]);
    assert.deepEqual(ra, ['a,1\n', da]);
    assert.deepEqual(rb, ['b,2\n', db]);
    assert.equal(process.cwd(), hostCwd);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps os.chdir in one process from moving another process on the same context, or Node', async () => {
    const py = await getPython();
    const hostCwd = process.cwd();
    const da = dir('a');
    const db = dir('b');
    mkdirSync(join(da, 'sub'));
    const a = py.process(uniqueId('cwd'), { cwd: da });
    const b = py.process(uniqueId('cwd'), { cwd: db });
    const ctx = py.context(1);
    await a.exec("import os\nos.chdir('sub')", { context: ctx });
    assert.equal(a.cwd, join(da, 'sub'));
    assert.equal(await b.run('import os\nos.getcwd()', { context: ctx }), db);
    assert.equal(b.cwd, db);
    assert.equal(process.cwd(), hostCwd);
    // And back: a is still in its subfolder after b ran on the same thread.
    assert.equal(await a.run('os.getcwd()', { context: ctx }), join(da, 'sub'));
    await Promise.all([a.close(), b.close()]);
  });

  it('carries a chdir over to the next run on another context', async () => {
    const py = await getPython();
    const d = dir('top');
    mkdirSync(join(d, 'inner'));
    writeFileSync(join(d, 'inner', 'data.csv'), 'inner');
    const p = py.process(uniqueId('cwd'), { cwd: d });
    await p.exec("import os\nos.chdir('inner')", { context: py.context(1) });
    assert.equal(p.cwd, join(d, 'inner'));
    assert.deepEqual(await p.run("import os\n(os.getcwd(), open('data.csv').read())", { context: py.context(2) }),
      [join(d, 'inner'), 'inner']);
    await p.close();
  });

  it('starts subprocesses in the process directory', async () => {
    const py = await getPython();
    const d = dir('x');
    const p = py.process(uniqueId('cwd'), { cwd: d });
    const where = await p.run([
      'import subprocess',
      "subprocess.run(['sh', '-c', 'echo made > from-shell.txt'], check=True)",
      "subprocess.check_output(['readlink', '/proc/self/cwd'], text=True).strip()",
    ].join('\n'));
    assert.equal(where, d);
    assert.equal(readFileSync(join(d, 'from-shell.txt'), 'utf8'), 'made\n');
    await p.close();
  });

  it('gives threads started by a run the same directory', async () => {
    const py = await getPython();
    const d = dir('seen by a thread');
    const p = py.process(uniqueId('cwd'), { cwd: d });
    const seen = await p.run([
      'import os, threading',
      'out = []',
      "t = threading.Thread(target=lambda: out.append((os.getcwd(), open('data.csv').read())))",
      't.start(); t.join()',
      'out[0]',
    ].join('\n'));
    assert.deepEqual(seen, [d, 'seen by a thread']);
    await p.close();
  });

  it('defaults to the host directory and changes with proc.chdir in order with queued calls', async () => {
    const py = await getPython();
    const d = dir('d');
    mkdirSync(join(d, 'sub'));
    const p = py.process(uniqueId('cwd'));
    assert.equal(p.cwd, realpathSync(process.cwd()));
    await p.chdir(d);
    assert.equal(p.cwd, d);
    // Not awaited one by one: the chdir still runs between the two calls.
    const first = p.run('import os\nos.getcwd()');
    const moved = p.chdir('sub');
    const second = p.run('os.getcwd()');
    assert.deepEqual(await Promise.all([first, moved, second]), [d, undefined, join(d, 'sub')]);
    assert.equal(p.cwd, join(d, 'sub'));
    await p.close();
  });

  it('rejects proc.chdir to a missing folder with FileNotFoundError and stays put', async () => {
    const py = await getPython();
    const d = dir('d');
    const p = py.process(uniqueId('cwd'), { cwd: d });
    await assert.rejects(p.chdir('no-such-folder'), (e: PythonError) => {
      assert.equal(e.type, 'FileNotFoundError');
      assert.match(e.message, /no-such-folder/);
      return true;
    });
    await assert.rejects(p.chdir('data.csv'), (e: PythonError) => e.type === 'NotADirectoryError');
    assert.equal(p.cwd, d);
    assert.equal(await p.run('import os\nos.getcwd()'), d);
    await assert.rejects(() => p.chdir(42 as unknown as string), TypeError);
    await p.close();
  });

  it('refuses a missing folder at creation', async () => {
    const py = await getPython();
    assert.throws(() => py.process(uniqueId('cwd'), { cwd: join(os.tmpdir(), 'pyc-no-such-folder-xyz') }), /does not exist/);
    const d = dir('d');
    assert.throws(() => py.process(uniqueId('cwd'), { cwd: join(d, 'data.csv') }), /not a folder/);
    assert.throws(() => py.process(uniqueId('cwd'), { cwd: 7 as unknown as string }), TypeError);
  });

  it('fails one call, then continues in the start folder, when its folder was removed meanwhile', async () => {
    const py = await getPython();
    const gone = dir('soon gone');
    const other = dir('other');
    const p = py.process(uniqueId('cwd'), { cwd: gone });
    const q = py.process(uniqueId('cwd'), { cwd: other });
    const ctx = py.context(1);
    await p.exec('x = 1', { context: ctx });
    await q.exec('y = 1', { context: ctx }); // the thread leaves `gone`
    rmSync(gone, { recursive: true });
    await assert.rejects(p.run('x', { context: ctx }), (e: PythonError) => {
      assert.equal(e.type, 'FileNotFoundError');
      assert.ok(e.message.includes(gone), e.message);
      return true;
    });
    assert.equal(await p.run('x', { context: ctx }), 1);
    assert.notEqual(p.cwd, gone);
    await Promise.all([p.close(), q.close()]);
  });

  it('keeps the directory across a context restart', async () => {
    const py = await getPython();
    const d = dir('d');
    mkdirSync(join(d, 'deeper'));
    const p = py.process(uniqueId('cwd'), { cwd: d });
    const ctx = py.context(2);
    p.bind(ctx);
    await p.exec("import os\nos.chdir('deeper')");
    await py.restartContext(ctx);
    assert.equal(await p.run('import os\nos.getcwd()'), join(d, 'deeper'));
    await p.close();
  });
});
