/**
 * The data viewer without VS Code: the grid's sort and filter models as Python queries, the
 * header's text (protocol.ts), and the session's conversation with a fake context (session.ts):
 * a query only when it changed, waiting on a busy context, time limits, and closing.
 */
import * as assert from 'node:assert/strict';
import type { DataViewMeta, DataViewRequest } from '../../src/engine/dataView';
import { dataViewPayload } from '../../src/engine/dataView';
import { describeDtypes, describeShape, formatStat, histogramBars, toFilters, toSort, type ToWebview } from '../../src/surfaces/dataViewer/protocol';
import { ViewerSession, type ViewSource } from '../../src/surfaces/dataViewer/session';
import { TimeoutError } from '../../src/engine/errors';

const META: DataViewMeta = {
  id: 7, title: 'df', kind: 'DataFrame', shape: [1_000_000, 2], rows: 1_000_000, totalRows: 1_000_000, indexName: '',
  columns: [{ name: 'a', dtype: 'float64', numeric: true }, { name: 'b', dtype: 'object', numeric: false }], sort: null, filters: [],
};

describe('data viewer: protocol', () => {
  it('takes the first sorted table column as the sort; the index column sorts nothing', () => {
    assert.deepEqual(toSort([]), null);
    assert.deepEqual(toSort([{ colId: 'c1', sort: 'desc' }]), { column: 1, ascending: false });
    assert.deepEqual(toSort([{ colId: 'index', sort: 'asc' }, { colId: 'c0', sort: 'asc' }]), { column: 0, ascending: true });
    assert.deepEqual(toSort([{ colId: 'c0', sort: null }]), null);
  });

  it('turns simple and combined filter models into clauses, dropping conditions still being typed', () => {
    assert.deepEqual(toFilters(undefined), []);
    assert.deepEqual(toFilters({ c1: { filterType: 'text', type: 'contains', filter: 'x' } }),
      [{ column: 1, join: 'and', conditions: [{ type: 'contains', filter: 'x' }] }]);
    assert.deepEqual(toFilters({
      c2: { filterType: 'number', operator: 'OR', conditions: [{ type: 'lessThan', filter: 1 }, { type: 'inRange', filter: 5, filterTo: 9 }] },
      c0: { filterType: 'number', type: 'blank' },
    }), [
      { column: 0, join: 'and', conditions: [{ type: 'blank' }] },
      { column: 2, join: 'or', conditions: [{ type: 'lessThan', filter: 1 }, { type: 'inRange', filter: 5, filterTo: 9 }] },
    ]);
    assert.deepEqual(toFilters({ c0: { filterType: 'number', type: 'greaterThan', filter: null } }), []);
    assert.deepEqual(toFilters({ index: { filterType: 'text', type: 'contains', filter: 'x' } }), []);
  });

  it('describes the shape, a filter and the dtypes', () => {
    assert.equal(describeShape(META), 'DataFrame · 1,000,000 rows × 2 columns');
    assert.equal(describeShape({ ...META, rows: 12 }), 'DataFrame · 1,000,000 rows × 2 columns · 12 shown');
    assert.equal(describeShape({ kind: 'Series', shape: [1], rows: 1, totalRows: 1 }), 'Series · 1 value');
    assert.equal(describeDtypes(META), 'a: float64, b: object');
    assert.equal(describeDtypes(META, 1), 'a: float64, … 1 more');
  });

  it('formats summary numbers and scales histogram bars', () => {
    assert.equal(formatStat(1234567), '1,234,567');
    assert.equal(formatStat(0.123456), '0.1235');
    assert.equal(formatStat(1e-7), '1.000e-7');
    assert.equal(formatStat(null), '–');
    assert.equal(formatStat('x'), 'x');
    assert.deepEqual(histogramBars([1, 4, 2, 0]), [0.25, 1, 0.5, 0]);
    assert.deepEqual(histogramBars([0, 0]), [0, 0]);
  });

  it('checks requests before they reach Python, naming the argument', () => {
    assert.deepEqual(dataViewPayload({ cmd: 'rows', view: 1, start: 0, count: 100 }).payload, ['rows', 1, 0, 100]);
    assert.throws(() => dataViewPayload({ cmd: 'rows', view: 1, start: -1, count: 100 }), { name: 'TypeError', message: /request\.start/ });
    assert.throws(() => dataViewPayload({ cmd: 'open', path: [], title: 't' }), { name: 'TypeError', message: /request\.path/ });
    assert.throws(() => dataViewPayload({ cmd: 'meta', view: 1.5 }), { name: 'TypeError', message: /request\.view/ });
    assert.throws(() => dataViewPayload({ cmd: 'nope' } as unknown as DataViewRequest), { name: 'TypeError', message: /request\.cmd/ });
  });
});

/** A context that answers from a table of 1,000,000 rows where row i is [i, i * 2, `r${i}`]. */
class FakeSource implements ViewSource {
  readonly requests: DataViewRequest[] = [];
  isBusy = false;
  private idleWaiters: (() => void)[] = [];
  hang = false;

  request(req: DataViewRequest, timeoutMs: number): Promise<unknown> {
    this.requests.push(req);
    if (this.hang) return Promise.reject(new TimeoutError(timeoutMs));
    switch (req.cmd) {
      case 'open':
      case 'meta':
      case 'refresh':
        return Promise.resolve(META);
      case 'query':
        return Promise.resolve({ ...META, sort: req.sort, filters: req.filters, rows: req.filters.length ? 10 : META.rows });
      case 'rows': {
        const rows = Array.from({ length: req.count }, (_, k) => [req.start + k, (req.start + k) * 2, `r${req.start + k}`]);
        return Promise.resolve({ start: req.start, rows, total: META.rows });
      }
      case 'summary':
        return Promise.resolve([{ name: 'a', dtype: 'float64', count: 3, missing: 0 }]);
      case 'close':
        return Promise.resolve(true);
    }
  }

  busy(): boolean {
    return this.isBusy;
  }

  idle(): Promise<void> {
    if (!this.isBusy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  finish(): void {
    this.isBusy = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

function session(source: FakeSource, target = { path: ['df'], title: 'df' } as const): { s: ViewerSession; posted: ToWebview[] } {
  const posted: ToWebview[] = [];
  let t = 0;
  const s = new ViewerSession(source, { post: (m) => posted.push(m) }, target, () => (t += 5));
  return { s, posted };
}

const rowsMsg = (req: number, start: number, sort: 'asc' | 'desc' | null = null) => ({
  type: 'rows' as const, req, start, end: start + 100, sortModel: sort ? [{ colId: 'c0', sort }] : [], filterModel: {},
});

describe('data viewer: session', () => {
  it('opens the variable, then pages rows without a query while sort and filter are unchanged', async () => {
    const src = new FakeSource();
    const { s, posted } = session(src);
    await s.handle({ type: 'ready' });
    await s.handle(rowsMsg(1, 0));
    await s.handle(rowsMsg(2, 500_000));
    assert.deepEqual(src.requests.map((r) => r.cmd), ['open', 'rows', 'rows']);
    const pages = posted.filter((m): m is Extract<ToWebview, { type: 'rows' }> => m.type === 'rows');
    assert.deepEqual(pages.map((p) => [p.req, p.rows.length, p.rows[0]?.[0], p.total]), [[1, 100, 0, 1_000_000], [2, 100, 500_000, 1_000_000]]);
    assert.equal(posted.find((m) => m.type === 'meta')?.type, 'meta');
    assert.ok(s.state.firstPageMs !== undefined && s.state.firstPageMs > 0);
  });

  it('sends a query when the sort changes, then only pages', async () => {
    const src = new FakeSource();
    const { s } = session(src);
    await s.handle({ type: 'ready' });
    await s.handle(rowsMsg(1, 0, 'desc'));
    await s.handle(rowsMsg(2, 100, 'desc'));
    await s.handle(rowsMsg(3, 0, null));
    assert.deepEqual(src.requests.map((r) => r.cmd), ['open', 'query', 'rows', 'rows', 'query', 'rows']);
    assert.deepEqual(src.requests[1], { cmd: 'query', view: 7, sort: { column: 0, ascending: false }, filters: [] });
  });

  it('summarises again after a filter changes, not after a sort', async () => {
    const src = new FakeSource();
    const { s } = session(src);
    await s.handle({ type: 'ready' });
    await s.handle({ type: 'summary' });
    await s.handle(rowsMsg(1, 0, 'asc'));
    await s.handle({ ...rowsMsg(2, 0, 'asc'), filterModel: { c1: { filterType: 'text', type: 'contains', filter: 'r1' } } });
    assert.deepEqual(src.requests.map((r) => r.cmd), ['open', 'summary', 'query', 'rows', 'query', 'rows', 'summary']);
  });

  it('says the context is busy and waits for it before asking', async () => {
    const src = new FakeSource();
    src.isBusy = true;
    const { s, posted } = session(src);
    const ready = s.handle({ type: 'ready' });
    await new Promise((r) => setImmediate(r));
    assert.equal(src.requests.length, 0, 'nothing is queued behind busy code');
    assert.equal(s.state.status.kind, 'busy');
    assert.ok(posted.some((m) => m.type === 'status' && m.kind === 'busy'));
    src.finish();
    await ready;
    assert.deepEqual(src.requests.map((r) => r.cmd), ['open']);
    assert.equal(s.state.status.kind, 'ok');
  });

  it('reports a request that timed out, and fails the grid block so it does not spin', async () => {
    const src = new FakeSource();
    const { s, posted } = session(src);
    await s.handle({ type: 'ready' });
    src.hang = true;
    await s.handle(rowsMsg(1, 0));
    assert.ok(posted.some((m) => m.type === 'rowsFailed' && m.req === 1));
    assert.equal(s.state.status.kind, 'error');
    assert.match(s.state.status.text, /took longer than 10 s and was cancelled/);
  });

  it('refreshes with a new version and closes the view in Python once', async () => {
    const src = new FakeSource();
    const { s, posted } = session(src, { view: 3, title: 'x' } as never);
    await s.handle({ type: 'ready' });
    await s.refresh();
    const versions = posted.filter((m): m is Extract<ToWebview, { type: 'meta' }> => m.type === 'meta').map((m) => m.version);
    assert.deepEqual(versions, [1, 2]);
    assert.deepEqual(src.requests.map((r) => r.cmd), ['meta', 'refresh']);
    await s.dispose(true);
    await s.dispose(true);
    assert.deepEqual(src.requests.at(-1), { cmd: 'close', view: 3 });
    assert.equal(src.requests.filter((r) => r.cmd === 'close').length, 1);
    const before = posted.length;
    await s.handle(rowsMsg(9, 0));
    assert.equal(posted.length, before, 'a closed viewer posts nothing');
  });

  it('does not ask a closed environment to close the view', async () => {
    const src = new FakeSource();
    const { s } = session(src);
    await s.handle({ type: 'ready' });
    await s.dispose(false);
    assert.ok(!src.requests.some((r) => r.cmd === 'close'));
  });
});
