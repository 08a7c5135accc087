// `npm run bench`: Py Contexts side by side with the peers a user would otherwise pick.
//
// Every peer runs in its own child process (two embedded Pythons in one Node process would
// both load libpython), one after another so they never compete for the two cores, and the
// figures come back as JSON. Nothing here asserts a timing: the output is a table of medians
// and of our ratio to each peer, plus bench/results.json and bench/RESULTS.md for the README.
// A peer that cannot run shows n/a with its reason; the bench itself still succeeds.
//
// Knobs (environment): PY_CONTEXTS_PYTHON (the engine's Python; default: the one the addon was
// built for), BENCH_SCALE (iteration multiplier, e.g. 0.2 for a quick look), BENCH_ROUNDS (2),
// BENCH_STARTUPS (5), BENCH_JUPYTER_ROUNDS (300), BENCH_JUPYTER_PYTHON (/usr/bin/python3),
// BENCH_CORE (another build of dist/core.js for our column).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BENCH, CORE, PYDIR, ROOT as ROOT_DIR, scaled } from './lib/common.mjs';
import { median } from './lib/measure.mjs';
import { resolvePython, shimPath, ensureNodeCallsPython } from './lib/setup.mjs';
import { PEERS, buildRows, renderText, renderMarkdown } from './lib/table.mjs';

const STARTUPS = Number(process.env.BENCH_STARTUPS ?? 5);
const JUPYTER_PYTHON = process.env.BENCH_JUPYTER_PYTHON ?? '/usr/bin/python3';
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** Runs one child, returns the object after its `@@BENCH ` line, or { unavailable: reason }. */
function runChild(cmd, args, { env, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ unavailable: e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('@@BENCH '));
      if (line) return resolve(JSON.parse(line.slice('@@BENCH '.length)));
      const last = err.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ')).slice(-2).join(' / ');
      resolve({ unavailable: `${signal ? `killed (${signal})` : `exit ${code}`}${last ? `: ${last.slice(0, 200)}` : ''}` });
    });
  });
}

async function timed(label, fn) {
  const t = Date.now();
  const r = await fn();
  log(`${label} done in ${((Date.now() - t) / 1000).toFixed(1)} s${r?.unavailable ? ` (n/a: ${r.unavailable})` : ''}`);
  return r;
}

const started = Date.now();
// Load from other work moves every figure on a small machine; the header says how much there was.
const loadAtStart = os.loadavg()[0].toFixed(1);
let py;
try {
  py = resolvePython();
} catch (e) {
  py = { unavailable: `cannot run ${process.env.PY_CONTEXTS_PYTHON || 'python3'}: ${e.message.split('\n')[0]}` };
}
const PATH = py.unavailable ? process.env.PATH : shimPath(py);
const env = { ...process.env, PATH, BENCH_PYTHON: py.executable ?? 'python3' };
const ncpReason = py.unavailable ?? ensureNodeCallsPython(py, PATH);
const oursReason = existsSync(CORE) ? undefined : 'dist/core.js not built yet (npm run build)';
const node = process.execPath;
const peer = (file, ...args) => runChild(node, [join(BENCH, 'peers', file), ...args], { env });

// Each embedded or subprocess peer runs ROUNDS times, the order reversed every other round, and
// a figure is the lowest of its per-round medians. The machine is shared (2 cores), so this keeps
// a burst of someone else's load from landing on one peer only.
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const plan = [
  ['ours', 'ours', () => (oursReason ? { unavailable: oursReason } : peer('ours.mjs'))],
  ['ncpAsync', 'node-calls-python async', () => (ncpReason ? { unavailable: ncpReason } : peer('ncp.mjs', 'async'))],
  ['ncpSync', 'node-calls-python sync', () => (ncpReason ? { unavailable: ncpReason } : peer('ncp.mjs', 'sync'))],
  ['jsonl', 'python subprocess (JSON lines)', () => (py.unavailable ? { unavailable: py.unavailable } : peer('jsonl.mjs'))],
];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, label, run] of round % 2 ? [...plan].reverse() : plan) {
    const r = await timed(`${label}, round ${round + 1}/${ROUNDS}`, run);
    results[key] = results[key] ? mergeRounds(results[key], r) : r;
  }
}

/** Keeps the lower median of each figure; per-run stall maxima are pooled for results.json. */
function mergeRounds(a, b) {
  if (a.unavailable) return b;
  if (b.unavailable) return a;
  const figures = { ...a.figures };
  for (const [k, v] of Object.entries(b.figures)) figures[k] = k in figures ? Math.min(figures[k], v) : v;
  const errors = Object.fromEntries(Object.entries({ ...b.errors, ...a.errors }).filter(([k]) => !(k in figures)));
  const info = { ...a.info };
  for (const [k, v] of Object.entries(b.info)) if (Array.isArray(v) && Array.isArray(info[k]) && k.endsWith('_all')) info[k] = [...info[k], ...v];
  return { ...a, figures, errors, info };
}

// Start-up: a fresh Node process per sample, from require (or spawn) to the first result.
// Samples of the different methods are interleaved for the same reason as the rounds above.
const startups = {};
const startupPlan = [
  ['ours', 'ours', 'startup'], ['ours-notebook', 'ours', 'nb_startup'],
  ['ncp-async', 'ncpAsync', 'startup'], ['ncp-sync', 'ncpSync', 'startup'], ['jsonl', 'jsonl', 'startup'],
].filter(([, who]) => !results[who].unavailable);
await timed(`start-up, ${STARTUPS} fresh processes per method`, async () => {
  for (let i = 0; i < STARTUPS; i++) {
    for (const [method, who, key] of startupPlan) {
      if (results[who].errors?.[key]) continue;
      const r = await runChild(node, [join(BENCH, 'peers', 'startup.mjs'), method], { env, timeoutMs: 60_000 });
      if (r.unavailable) results[who].errors = { ...results[who].errors, [key]: r.unavailable };
      else (startups[method] ??= []).push(r.ms);
    }
  }
  for (const [method, who, key] of startupPlan) {
    if (startups[method]?.length === STARTUPS) results[who].figures = { ...results[who].figures, [key]: median(startups[method]) };
  }
});

// Jupyter: an external figure, measured by a Python driver talking ZeroMQ to a real kernel.
results.jupyter = await timed('Jupyter kernel (Python driver)', async () => {
  if (!existsSync(JUPYTER_PYTHON)) return { unavailable: `${JUPYTER_PYTHON} not found (install python3-ipykernel python3-jupyter-client)` };
  const jenv = { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  const r = await new Promise((resolve) => {
    const child = spawn(JUPYTER_PYTHON, [join(PYDIR, 'jupyter_driver.py'), String(process.env.BENCH_JUPYTER_ROUNDS ?? 300), '3'], { env: jenv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (e) => { clearTimeout(timer); resolve({ available: false, reason: e.message }); });
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch {
        const last = err.trim().split('\n').at(-1) ?? '';
        resolve({ available: false, reason: `driver exit ${code}${last ? `: ${last.slice(0, 200)}` : ''}` });
      }
    });
  });
  if (!r.available) return { unavailable: r.reason.includes('install') ? r.reason : `${r.reason} (install python3-ipykernel python3-jupyter-client)` };
  const start = median(r.startup_ms);
  return {
    figures: { run: r.roundtrip_us, nb_cell: r.roundtrip_us, startup: start, nb_startup: start },
    info: { version: r.python, executable: r.executable, import_ms: r.import_ms, startup_ms: r.startup_ms, roundtrip_p90_us: r.roundtrip_p90_us, rounds: r.rounds },
  };
});

// One row per interpreter of the matrix (Debian's and pyenv's 3.11, 3.13, 3.13t): the awaited call
// and start-up, with node-calls-python (on the bench's 3.11) as the reference.
let matrix = [];
try {
  matrix = (await import('../scripts/pythons.mjs')).matrix();
} catch (e) {
  log(`no interpreter matrix: ${e.message}`);
}
const interpreters = [];
await timed('per-interpreter rows', async () => {
  for (const m of matrix) {
    const ienv = { ...env, PY_CONTEXTS_PYTHON: m.executable };
    const r = oursReason ? { unavailable: oursReason } : await runChild(node, [join(BENCH, 'peers', 'interp.mjs')], { env: ienv });
    const starts = [];
    for (let i = 0; i < Math.min(STARTUPS, 3) && !r.unavailable; i++) {
      const s = await runChild(node, [join(BENCH, 'peers', 'startup.mjs'), 'ours'], { env: ienv, timeoutMs: 60_000 });
      if (!s.unavailable) starts.push(s.ms);
    }
    interpreters.push({ name: m.name, tag: m.tag, executable: m.executable, unavailable: r.unavailable,
      sqrt: r.figures?.sqrt, inflight16: r.figures?.inflight16, startup: starts.length ? median(starts) : undefined });
  }
});
const ref = { sqrt: results.ncpAsync.figures?.sqrt, startup: results.ncpAsync.figures?.startup };
function renderInterpreters(md) {
  const f = (v, d = 1) => (typeof v === 'number' ? v.toFixed(d) : 'n/a');
  const ratio = (v, r) => (typeof v === 'number' && typeof r === 'number' ? `${(v / r).toFixed(2)}×` : 'n/a');
  const head = ['interpreter', 'awaited sqrt µs', 'vs ncp async (3.11)', '16 in flight µs/call', 'start-up ms', 'vs ncp async (3.11)'];
  const lines = interpreters.map((i) => (i.unavailable ? [i.name, `n/a: ${i.unavailable}`, '', '', '', '']
    : [`${i.name} (${i.tag})`, f(i.sqrt), ratio(i.sqrt, ref.sqrt), f(i.inflight16), f(i.startup, 0), ratio(i.startup, ref.startup)]));
  if (md) return `\n### Per interpreter\n\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n${lines.map((l) => `| ${l.join(' | ')} |`).join('\n')}\n`;
  const w = head.map((h, c) => Math.max(h.length, ...lines.map((l) => String(l[c]).length)));
  return `\nPer interpreter (reference: node-calls-python async on ${meta.versions.ncpAsync ?? '3.11'}: sqrt ${f(ref.sqrt)} µs, start-up ${f(ref.startup, 0)} ms)\n` +
    [head, ...lines].map((l) => l.map((c, k) => String(c).padEnd(w[k])).join('  ')).join('\n') + '\n';
}
// Parallel contexts (issue 9): two CPU-bound calls on two contexts at once against two in a row,
// per interpreter and pool mode, with node-calls-python (on the bench's Python) as the peer row.
const parallel = [];
await timed('parallel contexts', async () => {
  const ncp = ncpReason ? { unavailable: ncpReason } : await runChild(node, [join(BENCH, 'peers', 'parallel.mjs'), 'ncp'], { env });
  parallel.push({ name: `node-calls-python (${ncp.info?.version?.split(' ')[0] ?? 'bench Python'})`, ...ncp });
  for (const m of matrix) {
    const r = oursReason ? { unavailable: oursReason } : await runChild(node, [join(BENCH, 'peers', 'parallel.mjs')], { env: { ...env, PY_CONTEXTS_PYTHON: m.executable } });
    parallel.push({ name: `ours, ${m.name} (${m.tag})`, ...r });
  }
});
function renderParallel(md) {
  const f = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : 'n/a');
  const head = ['method', 'worker: 2 contexts vs 1', 'owngil: 2 contexts vs 1', 'owngil call µs', 'vs worker call', 'owngil start-up ms (CPU ms)', 'MiB per owngil context'];
  const lines = parallel.map((r) => {
    if (r.unavailable) return [r.name, `n/a: ${r.unavailable}`, '', '', '', '', ''];
    const g = r.figures ?? {};
    const why = r.info?.capabilities?.ownGilRefusal?.code;
    const og = (v, d) => (why ? `n/a (${why})` : f(v, d));
    return [r.name, `${f(g.speedup_worker)}×`, why || r.name.startsWith('node-calls') ? og(undefined) : `${f(g.speedup_owngil)}×`,
      og(g.sqrt_owngil, 1), why ? '' : (typeof g.sqrt_owngil === 'number' && typeof g.sqrt_worker === 'number' ? `${(g.sqrt_owngil / g.sqrt_worker).toFixed(2)}×` : 'n/a'),
      typeof g.owngil_start_ms === 'number' ? `${f(g.owngil_start_ms, 0)} (${f(g.owngil_start_cpu_ms, 0)} CPU)` : og(undefined), og(g.owngil_mib, 1)];
  });
  const note = 'spin(n) of about 200 ms, twice in a row on one context vs once on each of two at once (2.00× is ideal on 2 cores; targets: ≥ 1.8× for owngil and for 3.13t worker, 1.0× expected for a shared GIL; own-GIL call within 1.5× of a worker call)';
  if (md) return `\n### Parallel contexts\n\n${note}.\n\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n${lines.map((l) => `| ${l.join(' | ')} |`).join('\n')}\n`;
  const w = head.map((h, c) => Math.max(h.length, ...lines.map((l) => String(l[c]).length)));
  return `\nParallel contexts: ${note}\n` + [head, ...lines].map((l) => l.map((c, k) => String(c).padEnd(w[k])).join('  ')).join('\n') + '\n';
}
// The awaited call idle and loaded (issue 13): ours with and without the completion spin, and
// node-calls-python async, first on the quiet machine, then with one busy-looping process taking
// a core (an extension host shares its cores with language servers and builds). Then the profile's
// breakdown of one awaited call (bench/profile/awaited.mjs: JS submit, Python op, the rest, and
// this machine's thread wake-up round trip).
const awaitedMethods = [['ours', 'ours'], ['ours-nospin', 'ours, spin off'], ['ncp', 'ncp async']];
const awaited = await timed('awaited call, idle and loaded', async () => {
  const out = { idle: {}, loaded: {} };
  for (const cond of ['idle', 'loaded']) {
    const busy = cond === 'loaded' ? spawn(node, ['-e', 'for(;;){}'], { stdio: 'ignore' }) : undefined;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [method, label] of round % 2 ? [...awaitedMethods].reverse() : awaitedMethods) {
          const reason = method === 'ncp' ? ncpReason : oursReason;
          const r = reason ? { unavailable: reason } : await peer('awaited.mjs', method);
          const prev = out[cond][label];
          if (r.unavailable || r.errors?.sqrt) out[cond][label] = prev ?? { unavailable: r.unavailable ?? r.errors.sqrt };
          else if (!prev || prev.unavailable || r.figures.sqrt < prev.us) out[cond][label] = { us: r.figures.sqrt, spin: r.info?.spin };
        }
      }
    } finally {
      busy?.kill('SIGKILL');
    }
  }
  if (!oursReason) {
    try {
      const prof = execFileSync(node, [join(BENCH, 'profile', 'awaited.mjs'), String(scaled(5000))], { env, encoding: 'utf8', timeout: 120_000 });
      out.profile = JSON.parse(prof);
    } catch (e) {
      out.profile = { unavailable: e.message.split('\n')[0] };
    }
  }
  return out;
});
function awaitedLines(a, markdown) {
  const f = (v) => (v?.us === undefined ? `n/a${v?.unavailable ? ` (${v.unavailable.slice(0, 60)})` : ''}` : v.us.toFixed(1));
  const ratio = (cond) => {
    const o = a?.[cond]?.ours?.us;
    const n = a?.[cond]?.['ncp async']?.us;
    return o && n ? `${(o / n).toFixed(2)}×` : '–';
  };
  const spin = (cond) => {
    const s = a?.[cond]?.ours?.spin;
    return s ? `${s.hits} handed, ${s.misses} missed, ${s.skipped} skipped, ${s.spunUsPerCall.toFixed(1)} µs spun per call` : '–';
  };
  const rows = [
    ...awaitedMethods.map(([, label]) => [label, f(a?.idle?.[label]), f(a?.loaded?.[label])]),
    ['ours ÷ ncp async', ratio('idle'), ratio('loaded')],
    ['ours: completion spin', spin('idle'), spin('loaded')],
  ];
  const p = a?.profile;
  const wake = (name) => p?.wakeup?.find((w) => w.name === name)?.median_us;
  const breakdown = !p || p.unavailable ? `profile not run${p?.unavailable ? `: ${p.unavailable}` : ''}`
    : `one awaited call on the quiet machine (bench/profile/awaited.mjs, spin on): ${p.total_us.toFixed(1)} µs = JS submit ${p.js_submit_us.toFixed(1)} + Python op ${p.python_us.toFixed(1)} + the rest ${p.rest_us.toFixed(1)} (wake the context, GIL, conversions, completion, settle). `
      + `This machine's thread-to-thread round trip: ${wake('condvar round trip')?.toFixed(1) ?? '?'} µs through a condition variable, ${wake('eventfd+epoll round trip')?.toFixed(1) ?? '?'} µs through eventfd+epoll (what waking Node's loop costs), ${wake('spinning round trip')?.toFixed(2) ?? '?'} µs with both sides spinning.`;
  const note = 'Medians of one call at a time (lowest of the rounds); loaded = one busy-looping process running meanwhile on the 2 CPUs. '
    + 'The completion spin lets the JS thread, after a turn that submitted work, spin up to 40 µs for the completion instead of sleeping; it backs off when it misses.';
  const head = ['awaited call(\'math\',\'sqrt\',[16]) µs', 'idle', 'loaded'];
  if (markdown) return ['## Awaited call, idle and loaded\n', `| ${head.join(' | ')} |`, '|---|---:|---:|', ...rows.map((r) => `| ${r.join(' | ')} |`), '', `- ${note}`, `- ${breakdown}`];
  const w = [0, 1].map((c) => Math.max(head[c].length, ...rows.map((r) => String(r[c]).length)) + 2);
  return ['Awaited call, idle and loaded:', ...[head, ...rows].map((r) => `  ${r[0].padEnd(w[0])}${String(r[1]).padEnd(w[1])}${r[2]}`), `  ${note}`, `  ${breakdown}`];
}

// Shared state and host calls (issue 10): ours only, so they are printed below the table.
const bridge = await timed('shared state and host.call', () => (oursReason ? { unavailable: oursReason } : peer('bridge.mjs')));
// Working directories (issue 16): the awaited call when one context alternates between processes
// in two folders (a chdir per call) against two processes in one folder. Ours only.
const cwd = await timed('working directories', () => (oursReason ? { unavailable: oursReason } : peer('cwd.mjs')));
// The data viewer (issue 11): ours, beside what a viewer without paging must do (the whole table to JS).
const dataview = await timed('data viewer', () => (oursReason ? { unavailable: oursReason } : peer('dataview.mjs')));

// Big results (issue 13): one fresh process per sample for the peak-RSS mark, methods interleaved.
// BENCH_BIG_BASELINE names another build of dist/core.js (e.g. main's) for an "ours before" column.
const BIG_SAMPLES = Math.max(1, Number(process.env.BENCH_BIG_SAMPLES ?? 3));
const bigMethods = [
  ['ours', 'ours', oursReason, env],
  ['ncp-async', 'ncp async', ncpReason, env],
  ...(process.env.BENCH_BIG_BASELINE ? [['ours', 'ours before', undefined, { ...env, BENCH_CORE: process.env.BENCH_BIG_BASELINE }]] : []),
];
const big = await timed(`big results, ${BIG_SAMPLES} fresh processes per method and case`, async () => {
  const out = {};
  for (const kind of ['list', 'numpy']) {
    for (let i = 0; i < BIG_SAMPLES; i++) {
      for (const [method, label, reason, menv] of bigMethods) {
        const slot = (out[kind] ??= {})[label] ??= { ms: [], extra: [], got: undefined, unavailable: reason };
        if (slot.unavailable) continue;
        const r = await runChild(node, ['--expose-gc', join(BENCH, 'peers', 'bigresult.mjs'), method, kind], { env: menv, timeoutMs: 300_000 });
        if (r.unavailable) slot.unavailable = r.unavailable;
        else { slot.ms.push(r.ms); slot.extra.push(r.extraBytesPerElement); slot.got = r.got; }
      }
    }
  }
  for (const k of Object.values(out)) for (const s of Object.values(k)) if (s.ms.length) Object.assign(s, { msMedian: median(s.ms), extraMedian: median(s.extra) });
  return out;
});
function bigLines(b, markdown) {
  const head = ['result', ...bigMethods.map(([, label]) => label), 'ours÷ncp async (time)'];
  const rows = [['list', 'list(range(10**7))'], ['numpy', '10^7 float64 numpy array']].map(([kind, label]) => {
    const by = b?.[kind] ?? {};
    const cell = (s) => (!s ? 'n/a' : s.unavailable ? `n/a (${s.unavailable.slice(0, 60)})` : `${Math.round(s.msMedian).toLocaleString('en-US')} ms, ${s.extraMedian.toFixed(1)} B/el → ${s.got}`);
    const o = by.ours?.msMedian;
    const n = by['ncp async']?.msMedian;
    return [label, ...bigMethods.map(([, l]) => cell(by[l])), o && n ? `${(o / n).toPrecision(2)}×` : '–'];
  });
  const note = 'Time of one call fetching a value built beforehand; B/el = peak RSS during the call above the RSS before it, per element (median of fresh processes). '
    + 'node-calls-python has no numpy conversion: its numpy figure returns arr.tobytes() (one copy in Python, one into an ArrayBuffer) viewed as a Float64Array.';
  if (markdown) return ['## Big results, Python → JS\n', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '', `- ${note}`];
  return ['Big results, Python → JS:', ...rows.map((r) => `  ${r.join('  |  ')}`), `  ${note}`];
}

const rows = buildRows(results);
const meta = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.type()} ${os.release()}`,
  node: process.version,
  python: py.unavailable ? py.unavailable : `${py.executable} ${py.version}`,
  engine: CORE,
  versions: Object.fromEntries(PEERS.map((p) => [p.key, results[p.key].info?.version?.split(' ')[0]])),
  libpython: Object.fromEntries(['ours', 'ncpAsync'].map((k) => [k, results[k].info?.libpython])),
  rounds: ROUNDS,
  startups: STARTUPS,
  seconds: (Date.now() - started) / 1000,
  load: { start: loadAtStart, end: os.loadavg()[0].toFixed(1), cpus: os.cpus().length },
};
// Python's own cost for the 10k Float64Array row, so the ratio there can be read fairly.
if (!py.unavailable) {
  try {
    const code = "import array,timeit; mv=memoryview(array.array('d',range(10000))); print(min(timeit.repeat(lambda: sum(mv), number=200, repeat=5))/200*1e6)";
    meta.pySum10kUs = Number(execFileSync(py.executable, ['-c', code], { encoding: 'utf8' }).trim());
  } catch { /* only a note */ }
}
const warnings = [];
const [ol, nl] = [meta.libpython.ours?.join(','), meta.libpython.ncpAsync?.join(',')];
if (ol && nl && ol !== nl) warnings.push(`ours and node-calls-python embed different libpython files: ${ol} vs ${nl}`);
if (meta.versions.ours && meta.versions.ncpAsync && meta.versions.ours !== meta.versions.ncpAsync) {
  warnings.push(`Python versions differ: ours ${meta.versions.ours}, node-calls-python ${meta.versions.ncpAsync}`);
}
meta.warnings = warnings;

writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify({ meta, rows, peers: results, startups, interpreters, parallel, awaited, bridge, cwd, big, dataview }, null, 2)}\n`);
writeFileSync(join(BENCH, 'RESULTS.md'), `${renderMarkdown(rows, results, meta)}${renderInterpreters(true)}${renderParallel(true)}\n${awaitedLines(awaited, true).join('\n')}\n\n${bridgeLines(bridge, true).join('\n')}\n\n${cwdLines(cwd, true).join('\n')}\n\n${bigLines(big, true).join('\n')}\n\n${dataviewLines(dataview, true).join('\n')}\n`);
process.stdout.write(renderText(rows, results, meta) + renderInterpreters(false) + renderParallel(false));
process.stdout.write(`\n${awaitedLines(awaited, false).join('\n')}\n\n${bridgeLines(bridge, false).join('\n')}\n\n${cwdLines(cwd, false).join('\n')}\n\n${bigLines(big, false).join('\n')}\n`);
process.stdout.write(`\n${dataviewLines(dataview, false).join('\n')}\n`);

function dataviewLines(d, markdown) {
  const head = markdown ? '## Data viewer (issue 11)\n' : 'Data viewer (issue 11):';
  if (d.unavailable || d.info?.error) return [head, `  n/a: ${d.unavailable ?? d.info.error}`];
  const f = d.figures;
  const bullet = markdown ? '- ' : '  ';
  const fmt = (v) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : 'n/a');
  const lines = [
    head,
    `${bullet}open a 1M-row DataFrame + first page of 100 rows: ${fmt(f.open_1m_ms)} (target < 1 s); the whole table to JS instead (df.values.tolist()): ${fmt(f.whole_1m_ms)}, ratio ${(f.open_1m_ms / f.whole_1m_ms).toPrecision(2)}×`,
    `${bullet}open a 10M-row DataFrame + first page: ${fmt(f.open_10m_ms)}`,
    `${bullet}a page of 100 rows at a random offset (1M rows): ${fmt(f.page_1m_ms)}; sort by a float column in Python + first page: ${fmt(f.sort_1m_ms)}`,
  ];
  // The same open measured in a real extension host by the integration test, webview included.
  const host = join(ROOT_DIR, 'test-artifacts', 'dataviewer.json');
  if (existsSync(host)) {
    const h = JSON.parse(readFileSync(host, 'utf8'));
    lines.push(`${bullet}in VS Code (last integration run): View Data → first page handed to the grid ${fmt(h.firstPageMs)}, → rows shown ${fmt(h.openToGridMs)} (webview start-up included)`);
  }
  return lines;
}

/** A section of figures only we have: its heading, then one bullet per line (or n/a with the reason). */
function oursOnly(title, r, markdown, bullets) {
  const head = markdown ? `## ${title}\n` : `${title}:`;
  if (r.unavailable || r.info?.error) return [head, `  n/a: ${r.unavailable ?? r.info.error}`];
  return [head, ...bullets(r.figures, r.info).map((line) => `${markdown ? '- ' : '  '}${line}`)];
}

function bridgeLines(b, markdown) {
  return oursOnly('Shared state and host calls (ours only)', b, markdown, (f, info) => [
    `host.call round trip (Python → JS → Python, trivial sync function): ${f.host_call_us.toFixed(1)} µs (target ≤ 30 µs)`,
    `plain awaited call (JS → Python → JS, math.sqrt): ${f.plain_call_us.toFixed(1)} µs`,
    `state.incr from 2 contexts at once: ${Math.round(f.state_incr_ops_s).toLocaleString('en-US')} increments/s, final count ${info.state_incr_exact ? 'exact' : `WRONG (${info.state_incr_final} of ${info.state_incr_expected})`}`,
  ]);
}

function cwdLines(c, markdown) {
  return oursOnly('Working directories (issue 16, ours only)', c, markdown, (f) => [
    `awaited call, two processes in different folders alternating on one context (a chdir per call): ${f.alternating_us.toFixed(1)} µs`
      + ` vs the same in one folder: ${f.same_us.toFixed(1)} µs, ratio ${(f.alternating_us / f.same_us).toFixed(2)}× (+${(f.alternating_us - f.same_us).toFixed(1)} µs per call)`,
    `for scale, one process on that context: ${f.one_us.toFixed(1)} µs (its getcwd per call included)`,
  ]);
}
