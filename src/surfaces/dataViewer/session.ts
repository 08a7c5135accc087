/**
 * One open data viewer, without VS Code: answers its webview's messages with requests to the
 * view's environment in Python. Plain Node; panel.ts connects it to a webview panel, and the
 * unit tests connect it to a fake source.
 *
 * - Requests go one at a time (a page may need a new sort or filter first, and both must reach
 *   Python in that order).
 * - A busy context is never queued behind: the viewer says so, waits until the context is
 *   idle, then asks. Every request has a time limit; a request that times out is cancelled in
 *   Python (dropped from the queue, or interrupted) and the viewer says what happened.
 */
import type { ColumnSummary, DataViewMeta, DataViewPage, DataViewRequest } from '../../engine/dataView';
import { queryKey, toFilters, toSort, type FromWebview, type ToWebview } from './protocol';

/** The small interface a viewer needs from the engine: one environment in one context. */
export interface ViewSource {
  /** Sends a request to the view's environment; rejects after `timeoutMs` (and cancels it). */
  request(req: DataViewRequest, timeoutMs: number): Promise<unknown>;
  /** The context runs code other than this viewer's requests. */
  busy(): boolean;
  /** Resolves once the context is idle, or the source has closed. */
  idle(): Promise<void>;
}

export interface ViewerPort {
  post(msg: ToWebview): void;
}

/** What the viewer shows: a variable (opened here) or a view Python opened already. */
export type ViewTarget = { path: readonly string[]; title: string } | { view: number; title: string };

export const TIMEOUTS = {
  /** Opening, a page, closing: cheap in Python whatever the table's size. */
  page: 10_000,
  /** A sort, a filter, a refresh or a summary read the whole column or table. */
  scan: 120_000,
};

export interface ViewerState {
  title: string;
  meta: DataViewMeta | undefined;
  status: { kind: string; text: string };
  /** From the session's start to the first page handed to the grid. */
  firstPageMs: number | undefined;
  /** The first rows the grid showed after its latest page (reported by the webview). */
  rendered: unknown[][] | undefined;
  renderedSort: string;
  summary: ColumnSummary[] | undefined;
  requests: number;
}

export class ViewerSession {
  private meta: DataViewMeta | undefined;
  private viewId: number | undefined;
  private version = 0;
  private applied = queryKey(null, []);
  private chain: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly started: number;
  readonly state: ViewerState;

  constructor(
    private readonly source: ViewSource,
    private readonly port: ViewerPort,
    private readonly target: ViewTarget,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    if ('view' in target) this.viewId = target.view;
    this.state = { title: target.title, meta: undefined, status: { kind: 'loading', text: 'Loading…' }, firstPageMs: undefined,
      rendered: undefined, renderedSort: '', summary: undefined, requests: 0 };
  }

  get title(): string {
    return this.meta?.title ?? this.target.title;
  }

  /** Handles one message from the webview. Never throws: failures become a status message. */
  handle(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        return this.serial(() => this.load(false));
      case 'refresh':
        return this.serial(() => this.load(true));
      case 'rows':
        return this.serial(() => this.rows(msg));
      case 'summary':
        return this.serial(() => this.summary());
      case 'rendered':
        this.state.rendered = msg.rows;
        this.state.renderedSort = JSON.stringify(msg.sortModel);
        return Promise.resolve();
      default:
        return Promise.resolve();
    }
  }

  /** Refreshes after the variable changed (the same as the webview's Refresh button). */
  refresh(): Promise<void> {
    return this.handle({ type: 'refresh' });
  }

  private serial(job: () => Promise<void>): Promise<void> {
    const next = this.chain.then(job, job).catch((e: unknown) => this.fail(e));
    this.chain = next;
    return next;
  }

  private post(msg: ToWebview): void {
    if (!this.disposed) this.port.post(msg);
  }

  private status(kind: 'ok' | 'busy' | 'loading' | 'error', text: string): void {
    this.state.status = { kind, text };
    this.post({ type: 'status', kind, text });
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    this.status('error', message);
  }

  /** One request, after waiting for a busy context; the status line says what happens. */
  private async ask(req: DataViewRequest, timeoutMs: number, what: string): Promise<unknown> {
    if (this.disposed) throw new Error('the viewer was closed');
    if (this.source.busy()) {
      this.status('busy', 'The context is busy running code: the viewer waits until it is idle…');
      await this.source.idle();
      if (this.disposed) throw new Error('the viewer was closed');
    }
    this.status('loading', what);
    this.state.requests++;
    try {
      return await this.source.request(req, timeoutMs);
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') {
        throw new Error(`${what.replace(/…$/, '')} took longer than ${timeoutMs / 1000} s and was cancelled; Refresh to try again`);
      }
      throw e;
    }
  }

  private async load(refresh: boolean): Promise<void> {
    let meta: DataViewMeta;
    if (this.viewId === undefined) {
      if (!('path' in this.target)) throw new Error('no view to show');
      meta = await this.ask({ cmd: 'open', path: this.target.path, title: this.target.title }, TIMEOUTS.page, 'Opening…') as DataViewMeta;
      this.viewId = meta.id;
    } else {
      const cmd = refresh ? 'refresh' : 'meta';
      meta = await this.ask({ cmd, view: this.viewId }, refresh ? TIMEOUTS.scan : TIMEOUTS.page, refresh ? 'Refreshing…' : 'Opening…') as DataViewMeta;
    }
    this.setMeta(meta, refresh);
    if (refresh && this.state.summary) await this.summary();
  }

  private setMeta(meta: DataViewMeta, reload: boolean): void {
    this.meta = meta;
    this.state.meta = meta;
    this.applied = queryKey(meta.sort, meta.filters);
    if (reload || this.version === 0) this.version++;
    this.post({ type: 'meta', meta, version: this.version });
    this.status('ok', '');
  }

  private async rows(msg: Extract<FromWebview, { type: 'rows' }>): Promise<void> {
    try {
      if (this.viewId === undefined) await this.load(false);
      const view = this.viewId as number;
      const sort = toSort(msg.sortModel);
      const filters = toFilters(msg.filterModel);
      const key = queryKey(sort, filters);
      let filtered = false;
      if (key !== this.applied) {
        const what = filters.length > 0 && sort ? 'Filtering and sorting…' : filters.length > 0 ? 'Filtering…' : sort ? 'Sorting…' : 'Loading…';
        filtered = JSON.stringify(filters) !== JSON.stringify(this.meta?.filters ?? []);
        const meta = await this.ask({ cmd: 'query', view, sort, filters }, TIMEOUTS.scan, what) as DataViewMeta;
        this.setMeta(meta, false);
      }
      const page = await this.ask({ cmd: 'rows', view, start: msg.start, count: Math.max(0, msg.end - msg.start) }, TIMEOUTS.page,
        'Loading rows…') as DataViewPage;
      if (this.state.firstPageMs === undefined) this.state.firstPageMs = this.now() - this.started;
      this.post({ type: 'rows', req: msg.req, rows: page.rows, total: page.total });
      this.status('ok', '');
      // The summary describes the rows the filter keeps (a sort changes nothing there).
      if (filtered && this.state.summary) await this.summary();
    } catch (e) {
      // The grid must hear about the failed block, or it would show "loading" for ever.
      this.post({ type: 'rowsFailed', req: msg.req, message: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }

  private async summary(): Promise<void> {
    if (this.viewId === undefined) await this.load(false);
    const columns = await this.ask({ cmd: 'summary', view: this.viewId as number }, TIMEOUTS.scan, 'Summarising…') as ColumnSummary[];
    this.state.summary = columns;
    this.post({ type: 'summary', columns });
    this.status('ok', '');
  }

  /** Frees the view in Python (unless the environment is gone already); later messages are ignored. */
  dispose(environmentAlive: boolean): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.disposed = true;
    const id = this.viewId;
    if (id === undefined || !environmentAlive) return Promise.resolve();
    // Closing waits for the requests before it (the chain), then never waits on a busy context.
    return this.chain.then(() => this.source.request({ cmd: 'close', view: id }, TIMEOUTS.page)).then(() => undefined, () => undefined);
  }
}
