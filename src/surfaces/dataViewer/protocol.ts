/**
 * The data viewer's messages between the extension (session.ts) and its webview
 * (webview/main.ts), and the pure functions both sides share: the grid's sort and filter
 * models turned into a Python query, and the header's text. No `vscode`, no DOM: unit-tested
 * in test/unit/dataViewer.unit.test.ts.
 */
import type { ColumnSummary, DataViewFilter, DataViewMeta, DataViewSort } from '../../engine/dataView';

/** The grid's sort model entry (AG Grid's SortModelItem). */
export interface GridSort {
  colId: string;
  sort: 'asc' | 'desc' | null | undefined;
}

/** A simple filter model of the grid (text or number), possibly two conditions joined. */
export interface GridFilterModel {
  filterType?: string;
  type?: string | null;
  filter?: string | number | null;
  filterTo?: number | null;
  operator?: 'AND' | 'OR';
  conditions?: GridFilterModel[];
}

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rows'; req: number; start: number; end: number; sortModel: GridSort[]; filterModel: Record<string, GridFilterModel> }
  | { type: 'summary' }
  | { type: 'refresh' }
  /** What the grid shows after a page arrived (for the tests): its first rows as arrays. */
  | { type: 'rendered'; rows: unknown[][]; sortModel: GridSort[] };

export type ToWebview =
  /** `version` grows on every Refresh, telling the grid to drop its cached pages. */
  | { type: 'meta'; meta: DataViewMeta; version: number }
  | { type: 'rows'; req: number; rows: unknown[][]; total: number }
  | { type: 'rowsFailed'; req: number; message: string }
  | { type: 'summary'; columns: ColumnSummary[] }
  /** `busy`: the context runs other code and the viewer waits; `error`: the last request failed. */
  | { type: 'status'; kind: 'ok' | 'busy' | 'loading' | 'error'; text: string }
  /** Tests drive the grid like a user: sort by a column. */
  | { type: 'test.sort'; colId: string; sort: 'asc' | 'desc' | null };

/** The grid's column id for column `j` of the table; the index column is 'index'. */
export function colId(j: number): string {
  return `c${j}`;
}

export function columnOf(id: string): number | undefined {
  const m = /^c(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** The first sorted column of the grid's sort model, as Python reads it (the index column sorts nothing). */
export function toSort(model: readonly GridSort[]): DataViewSort | null {
  for (const s of model) {
    const column = columnOf(s.colId);
    if (column !== undefined && (s.sort === 'asc' || s.sort === 'desc')) return { column, ascending: s.sort === 'asc' };
  }
  return null;
}

function condition(m: GridFilterModel): DataViewFilter['conditions'][number] | undefined {
  if (typeof m.type !== 'string' || m.type === 'empty') return undefined;
  const out: DataViewFilter['conditions'][number] = { type: m.type };
  if (typeof m.filter === 'string' || typeof m.filter === 'number') out.filter = m.filter;
  if (typeof m.filterTo === 'number') out.filterTo = m.filterTo;
  // A condition that needs a value and has none filters nothing (the grid sends those while typing).
  if (out.filter === undefined && m.type !== 'blank' && m.type !== 'notBlank') return undefined;
  return out;
}

/** The grid's filter model as Python's filter clauses, in column order. */
export function toFilters(model: Readonly<Record<string, GridFilterModel>> | null | undefined): DataViewFilter[] {
  const out: DataViewFilter[] = [];
  for (const [id, m] of Object.entries(model ?? {})) {
    const column = columnOf(id);
    if (column === undefined || !m) continue;
    const parts = Array.isArray(m.conditions) ? m.conditions : [m];
    const conditions = parts.map(condition).filter((c): c is NonNullable<typeof c> => c !== undefined);
    if (conditions.length > 0) out.push({ column, join: m.operator === 'OR' ? 'or' : 'and', conditions });
  }
  return out.sort((a, b) => a.column - b.column);
}

/** A query's identity, to send Python a new sort or filter only when it changed. */
export function queryKey(sort: DataViewSort | null, filters: readonly DataViewFilter[]): string {
  return JSON.stringify([sort, filters]);
}

const count = (n: number): string => n.toLocaleString('en-US');

/** "DataFrame · 1,000,000 rows × 3 columns", and "· 1,024 shown" under a filter. */
export function describeShape(meta: Pick<DataViewMeta, 'kind' | 'shape' | 'rows' | 'totalRows'>): string {
  const [rows = 0, cols] = meta.shape;
  const dims = cols === undefined ? `${count(rows)} ${rows === 1 ? 'value' : 'values'}`
    : `${count(rows)} ${rows === 1 ? 'row' : 'rows'} × ${count(cols)} ${cols === 1 ? 'column' : 'columns'}`;
  const shown = meta.rows !== meta.totalRows ? ` · ${count(meta.rows)} shown` : '';
  return `${meta.kind} · ${dims}${shown}`;
}

/** "a: float64, b: int64, c: object", cut after `max` columns. */
export function describeDtypes(meta: Pick<DataViewMeta, 'columns'>, max = 12): string {
  const parts = meta.columns.slice(0, max).map((c) => `${c.name}: ${c.dtype}`);
  const more = meta.columns.length - max;
  return more > 0 ? `${parts.join(', ')}, … ${more} more` : parts.join(', ');
}

/** A summary number as the side panel shows it: integers whole, others to 4 significant digits. */
export function formatStat(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return count(v);
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  return String(v);
}

/** Bar heights in [0, 1] for a histogram's counts (the tallest bar is 1). */
export function histogramBars(counts: readonly number[]): number[] {
  const top = Math.max(0, ...counts);
  return counts.map((c) => (top > 0 ? c / top : 0));
}
