/**
 * State that survives a window reload (issue 12): the VS Code side. Each document's
 * environment is saved to the workspace storage (`context.storageUri`) after runs, when its
 * context is idle and at most every `pyContexts.persistStateSaveIntervalSeconds`, and on
 * deactivate; it is restored before the document's first run, or at once for documents open
 * at start-up. When, where and how much is decided by src/processes/persistPolicy.ts; what is
 * saved by python/py_contexts/persist.py.
 */
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { PyProcess } from '../../engine/types';
import type { ProcessLifecycle } from '../../services/surfaceHost';
import { CONFIG_SECTION } from '../../manifest/ids';
import {
  BUSY_RETRY_MS, SaveSchedule, STATE_SUFFIX, budgetFor, persistSettings, restoreSummary, stateFileName,
  type PersistSettings, type RestoreSummary,
} from '../../processes/persistPolicy';

/** What persistence needs of the rest of the extension. */
export interface PersistenceHost {
  /** The document's process, created on first use (creating it tells the lifecycle listeners). */
  process(uri: vscode.Uri): Promise<PyProcess>;
  observe(lifecycle: ProcessLifecycle): vscode.Disposable;
  readonly trusted: boolean;
  info(message: string): void;
}

export interface RestoreReport extends RestoreSummary {
  uri: vscode.Uri;
}

interface Tracked {
  uri: vscode.Uri;
  proc: PyProcess;
  schedule: SaveSchedule;
  /** When its next save is due (Date.now() time), or undefined when none is planned. */
  due: number | undefined;
  saving: Promise<void> | undefined;
  /** The context's call count after the last save: more calls (through the API too) mean changes. */
  callsAtSave: number | undefined;
}

function readPersistSettings(): PersistSettings {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  return persistSettings({
    persistState: c.get('persistState'),
    maxSizeMB: c.get('persistStateMaxSizeMB'),
    saveIntervalSeconds: c.get('persistStateSaveIntervalSeconds'),
  });
}

function shortName(uri: vscode.Uri): string {
  return basename(uri.path) || uri.toString();
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // No saved state for this document.
  }
}

export class StatePersistence implements vscode.Disposable, ProcessLifecycle {
  private readonly tracked = new Map<string, Tracked>();
  private readonly reportsByUri = new Map<string, RestoreReport>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subs: vscode.Disposable[] = [];
  private stopped = false;
  /** The settings, read once and again only when they change: `used()` runs after every run. */
  private settings = readPersistSettings();
  /** The one timer of the planned saves (see reschedule()). */
  private wake: NodeJS.Timeout | undefined;
  /** When `wake` fires. */
  private wakeAt: number | undefined;
  /**
   * Sizes of the state files in `dir`, listed once and then kept up to date by our own
   * saves and removals: listing and stat-ing every file for every save made 100 documents
   * saving together cost 140 ms of the host's thread (issue 17).
   */
  private sizes: Map<string, number> | undefined;
  /** Documents whose process restoreOpenDocuments() creates: restoring is no run to save. */
  private readonly openedAtStart = new Set<string>();
  /** Restore notifications shown, for the integration tests. */
  readonly notified: string[] = [];
  /** Fires when the restore reports change. */
  readonly onDidChange = this.emitter.event;

  /** `dir`: the workspace storage folder; undefined without a workspace (nothing is kept then). */
  constructor(
    private readonly dir: string | undefined,
    private readonly host: PersistenceHost,
  ) {
    this.subs.push(
      host.observe(this),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(CONFIG_SECTION)) this.settings = readPersistSettings();
      }),
    );
  }

  get reports(): readonly RestoreReport[] {
    return [...this.reportsByUri.values()];
  }

  private active(): PersistSettings | undefined {
    const s = this.settings;
    return s.enabled && this.dir !== undefined && !this.stopped ? s : undefined;
  }

  stateFile(uri: vscode.Uri): string | undefined {
    return this.fileOf(uri);
  }

  private fileOf(uri: vscode.Uri): string | undefined {
    return this.dir === undefined ? undefined : join(this.dir, stateFileName(uri.toString()));
  }

  /**
   * Documents and notebooks open at start-up that have saved state are restored at once
   * (starting Python). Never in an untrusted workspace.
   */
  restoreOpenDocuments(): void {
    if (!this.active() || !this.host.trusted) return;
    const uris = [
      ...vscode.workspace.textDocuments.filter((d) => d.languageId === 'python' && d.uri.scheme !== 'vscode-notebook-cell').map((d) => d.uri),
      ...vscode.workspace.notebookDocuments.map((n) => n.uri),
    ];
    for (const uri of uris) {
      const file = this.fileOf(uri);
      if (file && existsSync(file)) {
        this.openedAtStart.add(uri.toString());
        this.host.process(uri).catch((e: unknown) => this.host.info(`restoring ${shortName(uri)}: ${errorText(e)}`));
      }
    }
  }

  created(uri: vscode.Uri, proc: PyProcess): void {
    const file = this.fileOf(uri);
    if (!file || !this.active() || !this.host.trusted || !existsSync(file)) return;
    // Submitted now, so it is queued on the process's context before the run that created it.
    proc.restoreState(file).then(
      (r) => {
        const summary = restoreSummary(shortName(uri), r.restored, r.notRestored);
        this.reportsByUri.set(uri.toString(), { ...summary, uri });
        this.emitter.fire();
        this.host.info(summary.tooltip);
        this.notified.push(summary.message);
        void vscode.window.showInformationMessage(summary.message);
      },
      (e: unknown) => this.host.info(`restoring the state of ${shortName(uri)} failed: ${errorText(e)}`),
    );
  }

  used(uri: vscode.Uri, proc: PyProcess): void {
    const s = this.active();
    if (!s) return;
    const key = uri.toString();
    let t = this.tracked.get(key);
    if (!t || t.proc !== proc) {
      t = { uri, proc, schedule: new SaveSchedule(s.saveIntervalMs), due: undefined, saving: undefined, callsAtSave: undefined };
      this.tracked.set(key, t);
    }
    if (this.openedAtStart.delete(key)) return;
    t.schedule.used();
    this.arm(t);
  }

  private arm(t: Tracked, delay = t.schedule.due(Date.now())): void {
    if (t.due !== undefined || delay === undefined || this.stopped) return;
    t.due = Date.now() + delay;
    // The timer already wakes in time for this one: no need to look at every document.
    if (this.wake && this.wakeAt !== undefined && this.wakeAt <= t.due) return;
    this.reschedule();
  }

  /**
   * One timer for every document, set for the earliest due save: a hundred documents that ran
   * once must not leave a hundred timers behind in the host.
   */
  private reschedule(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    if (this.stopped) return;
    let next: number | undefined;
    for (const t of this.tracked.values()) if (t.due !== undefined && (next === undefined || t.due < next)) next = t.due;
    if (next === undefined) return;
    this.wakeAt = next;
    this.wake = setTimeout(() => this.fire(), Math.max(0, next - Date.now()));
  }

  private fire(): void {
    this.wake = undefined;
    const now = Date.now();
    for (const t of this.tracked.values()) {
      if (t.due === undefined || t.due > now) continue;
      t.due = undefined;
      if (t.proc.closed) continue;
      // Never queue a save behind user code: ask again when the context is idle.
      if (t.proc.currentContext?.stats().busy) t.due = now + BUSY_RETRY_MS;
      else void this.save(t);
    }
    this.reschedule();
  }

  private fileSizes(dir: string): Map<string, number> {
    if (!this.sizes) {
      mkdirSync(dir, { recursive: true });
      this.sizes = new Map();
      for (const f of readdirSync(dir)) if (f.endsWith(STATE_SUFFIX)) this.sizes.set(join(dir, f), fileSize(join(dir, f)));
    }
    return this.sizes;
  }

  private remove(file: string): void {
    removeFile(file);
    this.sizes?.delete(file);
  }

  private save(t: Tracked): Promise<void> {
    const s = this.active() ?? (this.stopped ? this.settings : undefined);
    const file = this.fileOf(t.uri);
    if (!s?.enabled || !file || !this.dir || t.proc.closed) return Promise.resolve();
    if (t.saving) return t.saving;
    t.schedule.saved(Date.now());
    const dir = this.dir;
    t.saving = (async () => {
      try {
        const sizes = this.fileSizes(dir);
        const others: number[] = [];
        for (const [f, size] of sizes) if (f !== file) others.push(size);
        const r = await t.proc.saveState(file, budgetFor(s.maxBytes, others));
        t.callsAtSave = t.proc.currentContext?.stats().calls;
        // No environment any more (Reset Environment, Restart Context): nothing to bring back.
        if (r === undefined) this.remove(file);
        else sizes.set(file, fileSize(file));
        const big = r?.notRestored.filter((n) => n.reason === 'over the size cap').map((n) => n.name) ?? [];
        if (big.length > 0) this.host.info(`saving ${shortName(t.uri)}: over pyContexts.persistStateMaxSizeMB, not saved: ${big.join(', ')}`);
      } catch (e) {
        if (!t.proc.closed) this.host.info(`saving the state of ${shortName(t.uri)} failed: ${errorText(e)}`);
      } finally {
        t.saving = undefined;
        // Runs that came during the save are saved next time.
        if (!this.stopped) this.arm(t);
      }
    })();
    return t.saving;
  }

  closed(uri: vscode.Uri): void {
    if (this.stopped) return;
    const key = uri.toString();
    const t = this.tracked.get(key);
    this.tracked.delete(key);
    if (t?.due !== undefined) this.reschedule();
    if (this.reportsByUri.delete(key)) this.emitter.fire();
    const file = this.fileOf(uri);
    if (!file) return;
    // After a save still running, so it does not write the file again.
    void (t?.saving ?? Promise.resolve()).then(() => this.remove(file));
  }

  /**
   * Deactivation: saves every document whose process lives, within `timeoutMs` in all (a
   * context stuck in user code cannot save; its last save stays).
   */
  async saveAll(timeoutMs: number): Promise<void> {
    this.stopped = true;
    const saves: Promise<void>[] = [];
    this.reschedule(); // stopped: clears the timer
    for (const t of this.tracked.values()) {
      t.due = undefined;
      // A context stuck in user code cannot save: the last save stays.
      const stats = t.proc.currentContext?.stats();
      if (t.proc.closed || !stats || stats.busy) continue;
      if (!t.schedule.pending && stats.calls === t.callsAtSave) continue;
      saves.push(this.save(t));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(saves), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  dispose(): void {
    this.stopped = true;
    this.reschedule(); // stopped: clears the timer
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}
