// The extension host half of `npm run soak` (issue 17): runs the responsiveness tests
// (test/integration/responsive.integration.test.ts) in a real VS Code extension host and
// prints their figures from test-artifacts/responsiveness.json.
//   maxMs     longest wall-clock lateness of a 10 ms timer in the host (includes waiting for a core)
//   maxCpuMs  most CPU time the host's thread used between two ticks: the host's own stall
// Skip with SOAK_HOST=0. Needs the integration tools (scripts/vscode-tools.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
if (process.env.SOAK_HOST === '0') process.exit(0);
const figures = join(root, 'test-artifacts', 'responsiveness.json');
rmSync(figures, { force: true });
console.log('\npy-contexts soak — the extension host under output floods and huge values (real VS Code)');
const run = spawnSync(process.execPath, [join(root, 'scripts/integration.mjs'), '--session', 'main', '--grep', 'responsiveness under output floods'], {
  cwd: root,
  encoding: 'utf8',
});
if (!existsSync(figures)) {
  console.log(run.stdout.slice(-4000), run.stderr.slice(-2000));
  console.log('FAIL: no figures were written');
  process.exit(1);
}
const data = JSON.parse(readFileSync(figures, 'utf8'));
const cell = (v) => (v === undefined ? '' : String(v));
const rows = Object.entries(data).map(([name, f]) => [
  name,
  cell(f.runMs ?? f.floodMs ?? f.resultMs ?? f.allRunsMs),
  cell(f.maxMs),
  cell(f.maxCpuMs),
  cell(f.over50),
  [f.oneLineMs !== undefined ? `one line beside: ${f.oneLineMs} ms (${f.oneLineAloneMs} ms without the flood)` : '', f.note ? `"${f.note} more"` : '', f.channelChars !== undefined ? `channel ${(f.channelChars / 1e6).toFixed(1)} M chars` : '', f.fileBytes !== undefined ? `file ${(f.fileBytes / 1e6).toFixed(1)} MB` : '', f.treeRefreshes !== undefined ? `tree refreshes ${f.treeRefreshes}, timers ${f.timersBefore}→${f.timersAfter}` : '', f.trimmed !== undefined ? `kept ${f.chars} of max ${f.max}, dropped ${f.trimmed}` : ''].filter(Boolean).join('; '),
]);
const head = ['scenario', 'ms', 'maxMs', 'maxCpuMs', '>50ms', 'notes'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
const passed = /(\d+) passed, (\d+) failed/.exec(run.stdout);
console.log(passed ? `\n${passed[0]} (bounds: maxCpuMs < 50, 30 for the trailing value; maxMs < 3000 on a shared machine)` : run.stdout.slice(-2000));
process.exitCode = run.status === 0 ? 0 : 1;
