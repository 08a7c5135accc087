// One start-up measurement in a fresh process: from require/spawn to the first result.
// run.mjs launches this several times per method and takes the median.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH, CORE } from '../lib/common.mjs';

const method = process.argv[2];
const require = createRequire(join(BENCH, 'package.json'));
const done = (t0, result) => {
  process.stdout.write(`@@BENCH ${JSON.stringify({ method, ms: performance.now() - t0, result: String(result).slice(0, 80) })}\n`);
};

const methods = {
  async ours() {
    const t0 = performance.now();
    const { startPython } = require(CORE);
    const py = await startPython();
    done(t0, await py.process('startup').call('math', 'sqrt', [16]));
  },
  // What the notebook controller does before the first cell result: start, then a rich run.
  async 'ours-notebook'() {
    const t0 = performance.now();
    const { startPython } = require(CORE);
    const py = await startPython();
    done(t0, JSON.stringify(await py.process('nb').run('1+1', { rich: true, onOutput() {}, onDisplay() {} })));
  },
  async 'ncp-async'() {
    const t0 = performance.now();
    const { interpreter } = require('node-calls-python');
    done(t0, await interpreter.call(await interpreter.import('math'), 'sqrt', 16));
  },
  'ncp-sync'() {
    const t0 = performance.now();
    const { interpreter } = require('node-calls-python');
    done(t0, interpreter.callSync(interpreter.importSync('math'), 'sqrt', 16));
  },
  async jsonl() {
    const t0 = performance.now();
    const { startJsonl } = await import('../lib/jsonl_client.mjs');
    const py = startJsonl(process.env.BENCH_PYTHON ?? 'python3');
    done(t0, await py.call('math', 'sqrt', [16]));
    py.close();
  },
};
await methods[method]();
process.exit(0);
