// `npm run test:matrix`: the engine tier (test/native) against every interpreter of the matrix
// besides the default one that `npm run test:native` uses: pyenv's 3.10, 3.11 (another installation
// at another prefix) and 3.12 where present (an absent one is printed as not run), CPython 3.13 and
// the free-threaded 3.13t (with four contexts at once, plus a
// short soak). Missing 3.13 builds are made first (scripts/pythons.mjs, about five minutes each).
// Virtual environments of each are covered inside the tier (test/native/11.venv.test.ts).
//
// Options: --only NAME[,NAME]  (names as `node scripts/pythons.mjs --list` prints them)
//          --prepare           only make sure the Pythons and their engine cores exist
// Ends with the line "N passed, N failed" over all runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { absentLegs, ensurePythons } from './pythons.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1].split(',') : undefined;

const real = (p) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};
// The default interpreter is the one `npm run test:native` already ran against.
const defaultPython = process.env.PY_CONTEXTS_PYTHON;
const runs = ensurePythons()
  .filter((m) => !only || only.includes(m.name))
  .filter((m) => only || !defaultPython || real(m.executable) !== real(defaultPython));

// A core per ABI of the matrix: `npm install` built those whose headers existed then.
const coresFile = join(root, 'native', 'build', 'Release', 'cores.json');
const built = existsSync(coresFile) ? JSON.parse(readFileSync(coresFile, 'utf8')).cores.map((c) => c.tag) : [];
const tags = [...new Set(ensurePythons().map((m) => m.tag))];
if (tags.some((t) => !built.includes(t))) {
  console.log(`[matrix] building engine cores for ${tags.join(', ')} (have: ${built.join(', ') || 'none'})`);
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--require', tags.join(',')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

if (argv.includes('--prepare')) process.exit(0);

const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const results = [];
for (const m of runs) {
  const ft = m.tag.endsWith('t');
  const env = { ...process.env, PY_CONTEXTS_PYTHON: m.executable, ...(ft ? { PY_CONTEXTS_TEST_CONTEXTS: '4' } : {}) };
  console.log(`\n[matrix] ===== ${m.name} (${m.tag}) ${m.executable}${ft ? ', 4 contexts' : ''} =====`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [mocha, '--config', 'test/.mocharc.native.json', '--reporter', 'dot'], {
    cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout);
  const passed = Number(/(\d+) passing/.exec(r.stdout)?.[1] ?? 0);
  const pending = Number(/(\d+) pending/.exec(r.stdout)?.[1] ?? 0);
  const failed = Number(/(\d+) failing/.exec(r.stdout)?.[1] ?? 0) + (r.status !== 0 && !/failing/.test(r.stdout) ? 1 : 0);
  results.push({ name: `${m.name} native tier`, passed, failed, pending, s: Math.round((Date.now() - t0) / 1000) });
  if (ft) {
    // The soak's load, interrupt/restart chaos and open/close cycles, smaller than `npm run soak`.
    const t1 = Date.now();
    const soak = spawnSync(process.execPath, ['--expose-gc', join(root, 'out/test/soak/soak.js')], {
      cwd: root, env: { ...env, SOAK_PROCESSES: '60', SOAK_CALLS: '200', SOAK_SEED: '13' }, stdio: 'inherit',
    });
    results.push({ name: `${m.name} soak`, passed: soak.status === 0 ? 1 : 0, failed: soak.status === 0 ? 0 : 1, pending: 0, s: Math.round((Date.now() - t1) / 1000) });
  }
}

console.log('\n[matrix] interpreter                  passed  failed pending   time');
for (const r of results) console.log(`[matrix] ${r.name.padEnd(28)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.pending).padStart(6)}  ${String(r.s).padStart(4)} s`);
// A leg this machine has no interpreter for is said so, and counts neither as passed nor failed.
for (const a of absentLegs().filter((l) => !only || only.some((o) => o.startsWith(l.name)))) {
  console.log(`[matrix] ${a.name.padEnd(28)} not run: ${a.reason}`);
}
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
if (results.length === 0) {
  console.log('[matrix] no interpreter ran');
  process.exit(1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
