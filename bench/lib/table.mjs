// The figures, the peers, and how the table is printed (terminal) and written (RESULTS.md).

export const PEERS = [
  { key: 'ours', label: 'Py Contexts' },
  { key: 'ncpAsync', label: 'node-calls-python async' },
  { key: 'ncpSync', label: 'node-calls-python sync' },
  { key: 'jsonl', label: 'python3 subprocess, JSON lines' },
  { key: 'jupyter', label: 'Jupyter kernel (ZeroMQ)¹' },
];
const SHORT = { ours: 'ours', ncpAsync: 'ncp async', ncpSync: 'ncp sync', jsonl: 'subprocess', jupyter: 'Jupyter¹' };
const TINY = { ncpAsync: 'ncpA', ncpSync: 'ncpS', jsonl: 'subp', jupyter: 'Jup' };

// A target is either a ratio to a peer (ours ÷ theirs ≤ max) or an absolute bound on our figure.
export const ROWS = [
  { key: 'sqrt', label: "awaited call('math','sqrt',[16])", unit: 'µs', target: { peer: 'ncpAsync', max: 0.5 } },
  { key: 'run', label: "run('1+1')", unit: 'µs' },
  { key: 'inflight16', label: '16 calls in flight, per call', unit: 'µs' },
  { key: 'array10k', label: '10k JS number array → sum', unit: 'µs', target: { peer: 'ncpAsync', max: 0.5 } },
  { key: 'f64_10k', label: '10k Float64Array → sum', unit: 'µs', target: { peer: 'ncpAsync', max: 0.1 } },
  { key: 'f64_8mb', label: '8 MB Float64Array → Python (nbytes)³', unit: 'µs' },
  { key: 'str1mb', label: '1 MB str returned', unit: 'µs' },
  { key: 'bytes1mb', label: '1 MB bytes returned', unit: 'µs' },
  { key: 'stall_idle', label: 'event-loop max delay, idle (probe floor)', unit: 'ms' },
  { key: 'stall1', label: 'event-loop stall, 200 ms CPU call', unit: 'ms', target: { abs: 2 } },
  { key: 'stall2', label: 'event-loop stall, + 2nd call queued', unit: 'ms', target: { abs: 2 } },
  { key: 'startup', label: 'start-up, require → first result', unit: 'ms', target: { peer: 'ncpAsync', max: 1 } },
  { key: 'nb_cell', label: 'notebook cell `1+1` round trip²', unit: 'µs' },
  { key: 'nb_startup', label: 'notebook start-up → first cell result²', unit: 'ms' },
];

const OTHERS = PEERS.filter((p) => p.key !== 'ours');

export function buildRows(results) {
  return ROWS.map((row) => {
    const values = {};
    const notes = {};
    for (const p of PEERS) {
      const r = results[p.key];
      const v = r?.figures?.[row.key];
      values[p.key] = typeof v === 'number' && Number.isFinite(v) ? v : null;
      if (values[p.key] === null) notes[p.key] = r?.unavailable ?? r?.errors?.[row.key] ?? null;
    }
    const ratios = {};
    for (const p of OTHERS) {
      const a = values.ours;
      const b = values[p.key];
      ratios[p.key] = a !== null && b !== null && b > 0 ? a / b : null;
    }
    let target = null;
    if (row.target?.peer) {
      const r = ratios[row.target.peer];
      target = { text: `≤ ${row.target.max}× ${SHORT[row.target.peer]}`, met: r === null ? null : r <= row.target.max };
    } else if (row.target?.abs !== undefined) {
      target = { text: `≤ ${row.target.abs} ${row.unit}`, met: values.ours === null ? null : values.ours <= row.target.abs };
    }
    return { key: row.key, label: row.label, unit: row.unit, values, ratios, target, notes };
  });
}

function fmtValue(v) {
  if (v === null) return null;
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return Math.round(v).toLocaleString('en-US');
}
function fmtRatio(r) {
  if (r === null) return '–';
  const p = r >= 100 ? Math.round(r) : r.toPrecision(2);
  return `${p}×`;
}
const targetText = (t) => (t ? `${t.text} ${t.met === null ? '?' : t.met ? '✓' : '✗'}` : '');

/** n/a with a footnote number for cells that have a reason, '–' where the figure does not apply. */
function cells(rows, results) {
  const reasons = [];
  const cite = (reason) => {
    let i = reasons.indexOf(reason);
    if (i < 0) { reasons.push(reason); i = reasons.length - 1; }
    return `n/a[${String.fromCharCode(97 + (i % 26))}]`;
  };
  const body = rows.map((row) => [
    `${row.label} (${row.unit})`,
    ...PEERS.map((p) => fmtValue(row.values[p.key]) ?? (row.notes[p.key] ? cite(row.notes[p.key]) : '–')),
    ...OTHERS.map((p) => fmtRatio(row.ratios[p.key])),
    targetText(row.target),
  ]);
  return { body, reasons };
}

const HEAD = ['figure', ...PEERS.map((p) => SHORT[p.key]), ...OTHERS.map((p) => `ours÷${TINY[p.key]}`), 'target (ours)'];
const legend = (meta) => [
  `Values are medians over many iterations after warm-up, all measured in this one run on this machine; lower is better. Each peer ran in ${meta.rounds} round(s), the order reversed every other round; a figure is the lowest of the rounds\' medians. Start-up is the median of ${meta.startups} fresh processes per method.`,
  'ours÷peer (ncpA/ncpS = node-calls-python async/sync, subp = python3 subprocess, Jup = Jupyter) = our time divided by theirs: 0.31× means we take 0.31 of their time (we are faster); 2× means we take twice as long.',
  'Event-loop figures are the largest delay of a 1 ms perf_hooks timer (median of 5 runs per round); the idle row is the probe\'s own floor. The subprocess column holds no GIL in the Node process, so its stall is this machine\'s scheduling noise with one core busy: read ours against it.',
  '¹ Jupyter is an external figure: a Python driver (jupyter_client) times execute_request of `1+1` until execute_reply and idle; start-up is kernel launch → first result.',
  "² ours = proc.run('1+1', { rich: true, onOutput, onDisplay }), the notebook controller's code path for a cell.",
  '³ The same hand-over with 1M doubles and no per-element work in Python, so it shows the transfer itself; in the 10k row Python\'s own sum() dominates (see the timeit note).',
];

function notes(meta, reasons) {
  const lines = [];
  reasons.forEach((r, i) => lines.push(`[${String.fromCharCode(97 + (i % 26))}] ${r}`));
  const lib = (k) => meta.libpython?.[k]?.join(', ') || '?';
  lines.push(`embedded libpython: ours ${lib('ours')}; node-calls-python ${lib('ncpAsync')}.`);
  if (!meta.engine.endsWith('/dist/core.js')) lines.push(`note: our column comes from BENCH_CORE=${meta.engine}`);
  if (meta.pySum10kUs) lines.push(`timeit: Python's own sum() over a 10k-double memoryview takes ${meta.pySum10kUs.toFixed(0)} µs in ${meta.python.split(' ')[0]}, a floor under every peer's 10k Float64Array figure.`);
  for (const w of meta.warnings ?? []) lines.push(`warning: ${w}`);
  return lines;
}

export function renderText(rows, results, meta) {
  const { body, reasons } = cells(rows, results);
  const all = [HEAD, ...body];
  const widths = HEAD.map((_, c) => Math.max(...all.map((r) => [...r[c]].length)));
  const line = (r) => r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [
    '',
    `Py Contexts bench — ${meta.date} — ${meta.machine} — Node ${meta.node} — Python ${meta.python}`,
    '',
    line(HEAD),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    '',
    ...legend(meta),
    ...notes(meta, reasons),
    `(bench took ${meta.seconds.toFixed(0)} s; results in bench/results.json and bench/RESULTS.md)`,
    '',
  ].join('\n');
}

export function renderMarkdown(rows, results, meta) {
  const { body, reasons } = cells(rows, results);
  const esc = (s) => s.replace(/\|/g, '\\|');
  const align = HEAD.map((_, c) => (c === 0 || c === HEAD.length - 1 ? '---' : '---:'));
  return [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench\` on ${meta.date}: ${meta.machine}, Node ${meta.node}, Python ${meta.python}.`
      + (meta.load ? ` Load average (1 min) at start ${meta.load.start}, at end ${meta.load.end}, on ${meta.load.cpus} CPUs.` : ''),
    '',
    `| ${HEAD.map(esc).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    ...[...legend(meta), ...notes(meta, reasons)].map((l) => `- ${l}`),
    '',
  ].join('\n');
}
