/**
 * The data viewer's webview: AG Grid Community with its infinite row model, so the grid asks
 * for the rows it is about to show, a block of 100 at a time, and keeps a few blocks. Every
 * request goes to the extension (session.ts), which asks Python; sort and filter models travel
 * with each request and are applied in Python. Bundled by esbuild (scripts/build.mjs) into
 * dist/webview/dataViewer.js.
 */
import {
  CellStyleModule,
  ColumnApiModule,
  createGrid,
  InfiniteRowModelModule,
  ModuleRegistry,
  NumberFilterModule,
  RowApiModule,
  TextFilterModule,
  TooltipModule,
  themeQuartz,
  type ColDef,
  type GridApi,
  type IDatasource,
  type IGetRowsParams,
} from 'ag-grid-community';
import type { ColumnSummary, DataViewMeta } from '../../../engine/dataView';
import { colId, describeDtypes, describeShape, formatStat, histogramBars, type FromWebview, type GridFilterModel, type GridSort, type ToWebview } from '../protocol';
import './style.css';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// Only what the viewer uses, so the bundle stays small (AG Grid reports a missing one as error #200).
ModuleRegistry.registerModules([InfiniteRowModelModule, TextFilterModule, NumberFilterModule, TooltipModule, CellStyleModule,
  ColumnApiModule, RowApiModule]);

const vscode = acquireVsCodeApi();
const BLOCK = 100;

// The grid follows the editor's colours and font through VS Code's CSS variables.
const theme = themeQuartz.withParams({
  backgroundColor: 'var(--vscode-editor-background)',
  foregroundColor: 'var(--vscode-editor-foreground)',
  headerBackgroundColor: 'var(--vscode-editorGroupHeader-tabsBackground)',
  borderColor: 'var(--vscode-panel-border, #8884)',
  accentColor: 'var(--vscode-focusBorder)',
  oddRowBackgroundColor: 'var(--vscode-list-hoverBackground, transparent)',
  fontFamily: 'var(--vscode-editor-font-family)',
  fontSize: 12,
  rowHeight: 24,
  headerHeight: 30,
  spacing: 4,
});

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const app = document.getElementById('app') as HTMLElement;
const header = el('div', 'header');
const title = el('span', 'title');
const shape = el('span', 'shape');
const status = el('span', 'status');
const refresh = el('button', '', 'Refresh');
const toggle = el('button', '', 'Summary');
refresh.title = 'Read the variable again (after it changed)';
toggle.title = 'Show or hide the column summary';
header.append(title, shape, status, el('span', 'spacer'), toggle, refresh);
const dtypes = el('div', 'dtypes');
const body = el('div', 'body');
const gridDiv = el('div', 'grid');
const side = el('div', 'summary hidden');
body.append(gridDiv, side);
app.append(header, dtypes, body);

let api: GridApi | undefined;
let version = 0;
let nextReq = 1;
const pending = new Map<number, IGetRowsParams>();
let summaryShown = true;
let summaryAsked = false;

refresh.onclick = () => vscode.postMessage({ type: 'refresh' });
toggle.onclick = () => {
  summaryShown = !summaryShown;
  side.classList.toggle('hidden', !summaryShown);
  if (summaryShown && !summaryAsked) askSummary();
};

function askSummary(): void {
  summaryAsked = true;
  side.replaceChildren(el('div', 'muted', 'Summarising…'));
  vscode.postMessage({ type: 'summary' });
}

const datasource: IDatasource = {
  getRows(params: IGetRowsParams): void {
    const req = nextReq++;
    pending.set(req, params);
    vscode.postMessage({
      type: 'rows', req, start: params.startRow, end: params.endRow,
      sortModel: params.sortModel as GridSort[], filterModel: params.filterModel as Record<string, GridFilterModel>,
    });
  },
};

function columnDefs(meta: DataViewMeta): ColDef[] {
  const index: ColDef = {
    colId: 'index', field: 'index', headerName: meta.indexName || '', pinned: 'left', width: 90, sortable: false,
    cellClass: 'index-cell', headerTooltip: 'index',
  };
  return [index, ...meta.columns.map((c, j): ColDef => ({
    colId: colId(j), field: colId(j), headerName: c.name, headerTooltip: `${c.name}: ${c.dtype}`,
    sortable: true, filter: c.numeric ? 'agNumberColumnFilter' : 'agTextColumnFilter',
    filterParams: { maxNumConditions: 2, buttons: ['reset'] },
    ...(c.numeric ? { type: 'rightAligned' } : {}),
    valueFormatter: (p) => (p.value === null || p.value === undefined ? (c.numeric ? 'NaN' : '') : String(p.value)),
  }))];
}

function showMeta(meta: DataViewMeta, v: number): void {
  title.textContent = meta.title;
  shape.textContent = describeShape(meta);
  dtypes.textContent = describeDtypes(meta);
  dtypes.title = meta.columns.map((c) => `${c.name}: ${c.dtype}`).join('\n');
  if (!api) {
    api = createGrid(gridDiv, {
      theme,
      columnDefs: columnDefs(meta),
      defaultColDef: { resizable: true, minWidth: 60, width: 150 },
      rowModelType: 'infinite',
      datasource,
      cacheBlockSize: BLOCK,
      maxBlocksInCache: 50,
      maxConcurrentDatasourceRequests: 2,
      blockLoadDebounceMillis: 30,
      tooltipShowDelay: 400,
      onModelUpdated: reportRendered,
    });
    version = v;
    if (summaryShown) {
      side.classList.remove('hidden');
      askSummary();
    }
    return;
  }
  if (v !== version) {
    // A Refresh: the value may have new columns or rows; cached blocks are stale.
    version = v;
    api.setGridOption('columnDefs', columnDefs(meta));
    api.purgeInfiniteCache();
  }
}

/** Tells the extension what the grid shows now (its first rows), for the tests and the state. */
function reportRendered(): void {
  if (!api) return;
  const rows: unknown[][] = [];
  const ids = api.getColumns()?.map((c) => c.getColId()) ?? [];
  for (let i = 0; i < 5; i++) {
    const node = api.getDisplayedRowAtIndex(i);
    const data = node?.data as Record<string, unknown> | undefined;
    if (!data) break;
    rows.push(ids.map((id) => data[id]));
  }
  if (rows.length === 0) return;
  const sortModel = api.getColumnState().filter((c) => c.sort).map((c) => ({ colId: c.colId, sort: c.sort ?? null }));
  vscode.postMessage({ type: 'rendered', rows, sortModel });
}

function showRows(req: number, rows: unknown[][], total: number): void {
  const params = pending.get(req);
  pending.delete(req);
  if (!params) return;
  const ncols = (rows[0]?.length ?? 1) - 1;
  const objects = rows.map((r) => {
    const o: Record<string, unknown> = { index: r[0] };
    for (let j = 0; j < ncols; j++) o[colId(j)] = r[j + 1];
    return o;
  });
  params.successCallback(objects, total);
}

function showSummary(columns: ColumnSummary[]): void {
  const items = columns.map((c) => {
    const box = el('div', 'col');
    box.append(el('div', 'col-name', c.name), el('div', 'muted', c.dtype));
    const stats = el('table', 'stats');
    const row = (k: string, v: unknown): void => {
      const tr = el('tr');
      tr.append(el('td', 'muted', k), el('td', '', formatStat(v)));
      stats.append(tr);
    };
    row('count', c.count);
    row('missing', c.missing);
    if (c.min !== undefined) row('min', c.min);
    if (c.max !== undefined) row('max', c.max);
    if (c.mean !== undefined) row('mean', c.mean);
    if (c.unique !== undefined) row('unique', c.unique);
    box.append(stats);
    if (c.histogram) box.append(histogram(c.histogram.counts, c.histogram.min, c.histogram.max));
    if (c.top && c.top.length > 0) {
      const top = el('div', 'top');
      for (const [value, n] of c.top) top.append(el('div', '', `${formatStat(value)} — ${formatStat(n)}`));
      box.append(top);
    }
    return box;
  });
  side.replaceChildren(...items);
}

function histogram(counts: number[], lo: number, hi: number): HTMLElement {
  const wrap = el('div', 'hist');
  wrap.title = `${counts.length} bins from ${formatStat(lo)} to ${formatStat(hi)}`;
  for (const [i, h] of histogramBars(counts).entries()) {
    const bar = el('div', 'bar');
    bar.style.height = `${Math.max(h * 100, h > 0 ? 4 : 0)}%`;
    bar.title = `${formatStat(counts[i])}`;
    wrap.append(bar);
  }
  return wrap;
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'meta':
      showMeta(msg.meta, msg.version);
      break;
    case 'rows':
      showRows(msg.req, msg.rows, msg.total);
      break;
    case 'rowsFailed': {
      const params = pending.get(msg.req);
      pending.delete(msg.req);
      params?.failCallback();
      break;
    }
    case 'summary':
      showSummary(msg.columns);
      break;
    case 'status':
      status.textContent = msg.text;
      status.className = `status ${msg.kind}`;
      break;
    case 'test.sort':
      api?.applyColumnState({ state: [{ colId: msg.colId, sort: msg.sort }], defaultState: { sort: null } });
      break;
  }
});

vscode.postMessage({ type: 'ready' });
