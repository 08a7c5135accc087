import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const core = join(__dirname, '..', '..', 'src', 'core.js');

function runChild(script: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CORE: core } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('process exit', () => {
  it('exits cleanly when Node ends with contexts alive and idle', () => {
    const r = runChild(`
      const { startPython } = require(process.env.CORE);
      startPython({ pools: { default: 2 } }).then(async (py) => {
        await py.process('a').exec('x = 1');
        console.log('ready');
      });`);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ready/);
  });

  it('exits cleanly with process.exit() while a context is busy', () => {
    const r = runChild(`
      const { startPython } = require(process.env.CORE);
      startPython({ pools: { default: 2 } }).then(async (py) => {
        py.process('a').run('while True: pass').catch(() => {});
        py.process('b').run('import time; time.sleep(30)').catch(() => {});
        setTimeout(() => { console.log('exiting'); process.exit(7); }, 200);
      });`);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 7, r.stderr);
    assert.match(r.stdout, /exiting/);
  });

  it('shuts down explicitly, rejecting later calls, and can start again', () => {
    const r = runChild(`
      const { startPython } = require(process.env.CORE);
      (async () => {
        const py = await startPython({ pools: { default: 1 } });
        const p = py.process('a');
        await p.exec('x = 1');
        const pending = p.run('import time; time.sleep(5)').catch((e) => 'rejected: ' + e.message);
        await py.shutdown();
        await py.shutdown();
        console.log(await pending);
        await p.run('1').catch((e) => console.log('after:', e.message));
        const py2 = await startPython({ pools: { default: 1 } });
        console.log('again', await py2.process('a').run('"x" in dir()'));
        await py2.shutdown();
      })().catch((e) => { console.error(e); process.exit(1); });`);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /rejected: Python was shut down/);
    assert.match(r.stdout, /after: .*closed|after: Python has been shut down/);
    assert.match(r.stdout, /again false/);
  });

  it('runs in a worker thread, cleans up when the worker ends, and lets the main thread start Python after', () => {
    const r = runChild(`
      const { Worker } = require('node:worker_threads');
      const { startPython } = require(process.env.CORE);
      const w = new Worker(\`
        const { parentPort } = require('node:worker_threads');
        const { startPython } = require(process.env.CORE);
        startPython({ pools: { default: 1 } }).then(async (py) => {
          parentPort.postMessage(await py.process('w').run('6 * 7'));
          py.process('busy').run('import time; time.sleep(30)').catch(() => {});
        });\`, { eval: true, env: process.env });
      w.on('message', async (m) => {
        console.log('worker said', m);
        // Python is owned by the worker: the main thread must be refused, not crash.
        await startPython({ pools: { default: 1 } }).catch((e) => console.log('main refused:', e.code));
        await w.terminate();
        const py = await startPython({ pools: { default: 1 } });
        console.log('main after worker', await py.process('m').run('1 + 1'));
        await py.shutdown();
      });`);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /worker said 42/);
    assert.match(r.stdout, /main refused: already-running/);
    assert.match(r.stdout, /main after worker 2/);
  });
});
