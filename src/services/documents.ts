/**
 * Documents as processes. A document's process is the engine process whose id is the
 * document's `uri.toString()`, so a process made through the exported API for that uri is
 * the same one run selection uses, unless the document shares another document's
 * environment (src/processes/sharing.ts). Closing a text document or notebook (untitled
 * included) closes its process once no other document uses it, which frees its environment
 * in every context.
 */
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PyProcess } from '../engine/types';
import { EnvironmentMembers } from '../processes/sharing';
import type { EngineService } from './engine';
import type { BackgroundOutputHandler, OutputSink, ProcessLifecycle } from './surfaceHost';
import { startFolder } from './startFolder';
import { TurnBudget } from './turns';

/** The host's thread time that documents' processes may take in one turn of its loop (turns.ts). */
const TURN_BUDGET_MS = 5;

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export class DocumentProcesses implements vscode.Disposable {
  private readonly subs: vscode.Disposable[] = [];
  private readonly lifecycles = new Set<ProcessLifecycle>();
  private readonly backgroundHandlers = new Set<BackgroundOutputHandler>();
  /** Processes whose background output is routed (once each). */
  private readonly routed = new WeakSet<PyProcess>();
  private readonly members = new EnvironmentMembers();
  /** The uris of documents given a process, to hand back as vscode.Uri. */
  private readonly uris = new Map<string, vscode.Uri>();
  private readonly sharingChanged = new vscode.EventEmitter<void>();
  private readonly turns = new TurnBudget(TURN_BUDGET_MS);
  /** Fires when a document starts or stops sharing another's environment. */
  readonly onDidChangeSharing = this.sharingChanged.event;

  constructor(
    private readonly engine: EngineService,
    private readonly output: OutputSink,
  ) {
    this.subs.push(
      vscode.workspace.onDidCloseTextDocument((doc) => this.closedText(doc.uri)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => void this.close(nb.uri)),
    );
  }

  /** The existing process of a document; never starts the engine. */
  find(uri: vscode.Uri): PyProcess | undefined {
    const key = this.members.peek(uri.toString());
    return key === undefined ? undefined : this.byId(key);
  }

  private byId(id: string): PyProcess | undefined {
    return this.engine.current?.processes().find((p) => p.id === id && !p.closed);
  }

  /** The documents whose code runs in `proc`, in the order they joined it. */
  documentsOf(proc: PyProcess): vscode.Uri[] {
    const docs = this.members.members(proc.id).map((d) => this.uris.get(d) ?? vscode.Uri.parse(d, true));
    if (docs.length > 0) return docs;
    // A process made through the API for a uri, never run from its document.
    try {
      return [vscode.Uri.parse(proc.id, true)];
    } catch {
      return [];
    }
  }

  isShared(uri: vscode.Uri): boolean {
    return this.members.isShared(uri.toString());
  }

  /**
   * `uri` runs in `target`'s environment from now on (its own is dropped if no other
   * document uses it). Starts the engine if needed; resolves to the shared process.
   */
  async share(uri: vscode.Uri, target: vscode.Uri): Promise<PyProcess> {
    const proc = await this.get(target);
    this.uris.set(uri.toString(), uri);
    const { orphaned } = this.members.share(uri.toString(), target.toString());
    const old = orphaned === undefined ? undefined : this.byId(orphaned);
    this.sharingChanged.fire();
    if (old) await this.closeProcess(old, uri);
    return proc;
  }

  /** `uri` leaves the environment it shares for a fresh one of its own; false when it shared nothing. */
  stopSharing(uri: vscode.Uri): boolean {
    const fresh = this.members.stopSharing(uri.toString());
    if (fresh !== undefined) this.sharingChanged.fire();
    return fresh !== undefined;
  }

  /**
   * The document's process, created (and the engine started) on first use. It starts in the
   * document's folder, as a notebook does in Jupyter (see startFolder.ts).
   */
  async get(uri: vscode.Uri): Promise<PyProcess> {
    // The document decides which workspace folder's Python extension selection applies.
    const python = await this.engine.python(uri);
    // What follows, and the run its caller then submits, is synchronous: a burst of runs
    // takes turns (turns.ts).
    let waited = false;
    for (let w = this.turns.wait(); w; w = this.turns.wait()) {
      waited = true;
      await w;
    }
    // Python may have been shut down or restarted while this run waited for its turn.
    if (waited && this.engine.current !== python) return this.get(uri);
    this.uris.set(uri.toString(), uri);
    const id = this.members.processOf(uri.toString());
    let proc = python.processes().find((p) => p.id === id && !p.closed);
    if (!proc) {
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
      proc = python.process(id, { cwd: startFolder(uri, folders, isFolder) });
      // Synchronously, so whatever a listener submits (a restore) is queued before the run.
      for (const l of this.lifecycles) l.created(uri, proc);
    }
    for (const l of this.lifecycles) l.used(uri, proc);
    if (!this.routed.has(proc)) {
      this.routed.add(proc);
      proc.onBackgroundOutput((stream, text) => this.background(uri, stream, text));
    }
    return proc;
  }

  observe(lifecycle: ProcessLifecycle): vscode.Disposable {
    this.lifecycles.add(lifecycle);
    return new vscode.Disposable(() => this.lifecycles.delete(lifecycle));
  }

  claimBackgroundOutput(handler: BackgroundOutputHandler): vscode.Disposable {
    this.backgroundHandlers.add(handler);
    return new vscode.Disposable(() => this.backgroundHandlers.delete(handler));
  }

  /** A thread of the document printed after its run ended: a surface takes it, or the channel does. */
  private background(uri: vscode.Uri, stream: 'stdout' | 'stderr', text: string): void {
    for (const h of this.backgroundHandlers) {
      if (h(uri, stream, text)) return;
    }
    this.output.stream(uri, stream, text);
  }

  /** The document closed: its process closes too, unless another document still uses it. */
  async close(uri: vscode.Uri): Promise<void> {
    for (const l of this.lifecycles) l.closed(uri);
    const key = uri.toString();
    const wasShared = this.members.isShared(key);
    const last = this.members.close(key);
    this.uris.delete(key);
    if (wasShared) this.sharingChanged.fire();
    const proc = last === undefined ? undefined : this.byId(last);
    if (proc) await this.closeProcess(proc, uri);
  }

  private async closeProcess(proc: PyProcess, uri: vscode.Uri): Promise<void> {
    try {
      await proc.close();
    } catch (e) {
      this.output.info(`closing the process of ${uri.toString()} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private closedText(uri: vscode.Uri): void {
    // Documents without a process matter only to lifecycle listeners (saved state to drop).
    if (!this.uris.has(uri.toString()) && !this.find(uri) && this.lifecycles.size === 0) return;
    // VS Code also "closes" a document when its language changes and reopens it at once;
    // its variables must survive that, so the process only closes if the document stays gone.
    setTimeout(() => {
      const key = uri.toString();
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) void this.close(uri);
    }, 0);
  }

  dispose(): void {
    this.sharingChanged.dispose();
    for (const s of this.subs) s.dispose();
  }
}
