// One side of scripts/conformance.mjs: runs unittest names inside a context of the engine
// (a document's process, as run selection and notebooks run code) and prints the summary.
import { RUNNER } from './conformance.mjs';
import { startPython } from '../dist/core.js';

const names = JSON.parse(process.argv[2]);
const timeoutMs = Number(process.argv[3] ?? 1_200_000);
const py = await startPython({ pools: { default: 2 } });
const proc = py.process('conformance');
let summary;
try {
  summary = await proc.run(`${RUNNER}\n__conformance(${JSON.stringify(names)})`, {
    filename: '<conformance>',
    timeoutMs,
    // Tests print (and some check what they printed through their own streams); the
    // text itself is not compared.
    onOutput: () => undefined,
  });
} catch (e) {
  summary = { crashed: `${e.name}: ${e.message}`.slice(0, 2000) };
}
process.stdout.write(`CONFORMANCE-RESULT ${JSON.stringify(summary)}\n`);
await Promise.race([py.shutdown(), new Promise((r) => setTimeout(r, 10_000))]);
process.exit(0);
