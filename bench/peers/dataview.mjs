// The data viewer (issue 11): how fast a large DataFrame opens when only the visible rows cross.
// Ours only, measured through the engine API the viewer uses (process.dataView), with the one
// thing a viewer without paging must do instead beside it: hand the whole table to JS.
//   open_1m_ms / open_10m_ms  open a variable as a view + its first page of 100 rows (median)
//   page_1m_ms                a page of 100 rows at a random offset (scrolling)
//   sort_1m_ms                sort by a float column in Python, then the first page
//   whole_1m_ms               df.values.tolist() of the 1M-row frame returned to JS (no paging)
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { CORE, scaled } from '../lib/common.mjs';
import { median } from '../lib/measure.mjs';

if (!existsSync(CORE)) {
  process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'dataview', unavailable: 'dist/core.js not built yet (npm run build)' })}\n`);
  process.exit(0);
}
const { startPython } = createRequire(import.meta.url)(CORE);
const python = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
const figures = {};
const info = { version: python.version };
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function openFirstPage(proc, ctx, name) {
  const t0 = process.hrtime.bigint();
  const meta = await proc.dataView({ cmd: 'open', path: [name], title: name }, ctx);
  const page = await proc.dataView({ cmd: 'rows', view: meta.id, start: 0, count: 100 }, ctx);
  const t = ms(t0);
  if (page.rows.length !== 100) throw new Error(`first page has ${page.rows.length} rows`);
  await proc.dataView({ cmd: 'close', view: meta.id }, ctx);
  return t;
}

try {
  const proc = python.process('bench-dataview');
  const ctx = python.context(1);
  try {
    await proc.exec('import numpy, pandas', { context: ctx });
  } catch {
    throw new Error(`pandas is not importable in ${python.interpreter.executable} (PY_CONTEXTS_PYTHON=/usr/bin/python3 with python3-pandas)`);
  }
  const frame = (n) => `pandas.DataFrame({"a": numpy.arange(${n}), "b": numpy.random.default_rng(1).normal(size=${n}), "c": numpy.arange(${n}) % 7})`;
  await proc.exec(`df1 = ${frame(1_000_000)}`, { context: ctx });
  const reps = scaled(7, 3);
  const opens = [];
  for (let i = 0; i < reps; i++) opens.push(await openFirstPage(proc, ctx, 'df1'));
  figures.open_1m_ms = median(opens);

  const meta = await proc.dataView({ cmd: 'open', path: ['df1'], title: 'df1' }, ctx);
  const pages = [];
  for (let i = 0; i < scaled(50, 10); i++) {
    const t0 = process.hrtime.bigint();
    await proc.dataView({ cmd: 'rows', view: meta.id, start: Math.floor(Math.random() * 999_900), count: 100 }, ctx);
    pages.push(ms(t0));
  }
  figures.page_1m_ms = median(pages);
  const sorts = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    await proc.dataView({ cmd: 'query', view: meta.id, sort: { column: 1, ascending: i % 2 === 0 }, filters: [] }, ctx);
    await proc.dataView({ cmd: 'rows', view: meta.id, start: 0, count: 100 }, ctx);
    sorts.push(ms(t0));
  }
  figures.sort_1m_ms = median(sorts);
  const wholes = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const all = await proc.run('df1.values.tolist()', { context: ctx });
    wholes.push(ms(t0));
    if (all.length !== 1_000_000) throw new Error('whole table has the wrong length');
  }
  figures.whole_1m_ms = median(wholes);

  if (process.env.BENCH_DATAVIEW_10M !== '0') {
    await proc.exec(`del df1\ndf10 = ${frame(10_000_000)}`, { context: ctx });
    const opens10 = [];
    for (let i = 0; i < 3; i++) opens10.push(await openFirstPage(proc, ctx, 'df10'));
    figures.open_10m_ms = median(opens10);
  }
} catch (e) {
  info.error = String(e?.message ?? e);
}
await python.shutdown();
process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'dataview', figures, info })}\n`);
