/**
 * The `dataView` op (python/py_contexts/dataview.py `request()`): what the data viewer asks a
 * context for, and what comes back. Plain data both ways; the table itself stays in Python.
 */

export interface DataViewSort {
  /** Column position (0-based, the index column not counted). */
  column: number;
  ascending: boolean;
}

/** One condition of a column filter (the grid's simple filter types: contains, lessThan, inRange…). */
export interface DataViewCondition {
  type: string;
  filter?: string | number;
  filterTo?: number;
}

/** The conditions on one column, joined with `and` or `or`; the clauses of a query are and-ed. */
export interface DataViewFilter {
  column: number;
  join: 'and' | 'or';
  conditions: DataViewCondition[];
}

export interface DataViewColumn {
  name: string;
  dtype: string;
  numeric: boolean;
}

export interface DataViewMeta {
  id: number;
  title: string;
  /** 'DataFrame', 'Series', 'ndarray', 'list of dicts', 'list of tuples', 'dict of lists'… */
  kind: string;
  /** The value's own shape (a Series or 1-D array has one number). */
  shape: number[];
  /** Rows after the filter. */
  rows: number;
  totalRows: number;
  indexName: string;
  columns: DataViewColumn[];
  sort: DataViewSort | null;
  filters: DataViewFilter[];
}

/** Rows [start, start + rows.length): each is [index label, cell, cell…]. */
export interface DataViewPage {
  start: number;
  rows: unknown[][];
  total: number;
}

export interface ColumnSummary {
  name: string;
  dtype: string;
  count: number;
  missing: number;
  min?: unknown;
  max?: unknown;
  mean?: number;
  histogram?: { counts: number[]; min: number; max: number };
  unique?: number;
  top?: [unknown, number][];
}

export type DataViewRequest =
  | { cmd: 'open'; path: readonly string[]; title: string }
  | { cmd: 'meta' | 'refresh' | 'close'; view: number }
  | { cmd: 'rows'; view: number; start: number; count: number }
  | { cmd: 'query'; view: number; sort: DataViewSort | null; filters: DataViewFilter[] }
  | { cmd: 'summary'; view: number };

/** The op's arguments, in the order dataview.request() reads them, with a name for each (for TypeErrors). */
export function dataViewPayload(req: DataViewRequest): { payload: unknown[]; names: string[] } {
  if (req === null || typeof req !== 'object') throw new TypeError('request must be an object');
  const view = (r: { view: unknown }): number => {
    if (typeof r.view !== 'number' || !Number.isInteger(r.view)) throw new TypeError('request.view must be an integer');
    return r.view;
  };
  switch (req.cmd) {
    case 'open':
      if (!Array.isArray(req.path) || req.path.length === 0 || !req.path.every((p) => typeof p === 'string')) {
        throw new TypeError('request.path must be a non-empty array of strings');
      }
      if (typeof req.title !== 'string') throw new TypeError('request.title must be a string');
      return { payload: ['open', [...req.path], req.title], names: ['request.cmd', 'request.path', 'request.title'] };
    case 'meta':
    case 'refresh':
    case 'close':
    case 'summary':
      return { payload: [req.cmd, view(req)], names: ['request.cmd', 'request.view'] };
    case 'rows':
      for (const k of ['start', 'count'] as const) {
        if (typeof req[k] !== 'number' || !Number.isInteger(req[k]) || req[k] < 0) throw new TypeError(`request.${k} must be a non-negative integer`);
      }
      return { payload: ['rows', view(req), req.start, req.count], names: ['request.cmd', 'request.view', 'request.start', 'request.count'] };
    case 'query':
      if (!Array.isArray(req.filters)) throw new TypeError('request.filters must be an array');
      return {
        payload: ['query', view(req), req.sort, req.filters],
        names: ['request.cmd', 'request.view', 'request.sort', 'request.filters'],
      };
    default:
      throw new TypeError(`request.cmd must be one of open, meta, refresh, rows, query, summary, close; got ${String((req as { cmd: unknown }).cmd)}`);
  }
}
