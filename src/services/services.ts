/**
 * The one owner of the extension's services, as rust-analyzer's `Ctx` is: it builds the
 * output channel, the interpreter selection, the engine and the documents' processes, hands
 * the surfaces one SurfaceHost, and disposes what it built. extension.ts builds it first and
 * the surfaces around it.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Python, PyProcess } from '../engine/types';
import { DisposableStore } from './disposables';
import { DocumentProcesses } from './documents';
import { EngineService, type EngineState, type StartFn } from './engine';
import type { BackgroundOutputHandler, InterpreterDescription, ProcessLifecycle, SurfaceHost } from './surfaceHost';
import { describeInterpreter } from './interpreterChoice';
import { InterpreterSelection } from './interpreterSelection';
import { OutputChannelSink } from './output';
import { TrustGuard } from './trust';

export class Services implements SurfaceHost, vscode.Disposable {
  readonly extensionUri: vscode.Uri;
  readonly output: OutputChannelSink;
  private readonly trust = new TrustGuard();
  private readonly engine: EngineService;
  private readonly documents: DocumentProcesses;
  readonly onDidChange: vscode.Event<void>;
  readonly onDidChangeSharing: vscode.Event<void>;
  private readonly store = new DisposableStore();

  constructor(context: Pick<vscode.ExtensionContext, 'extensionUri' | 'logUri'>, start: StartFn) {
    this.extensionUri = context.extensionUri;
    // Whole outputs too big for the channel go to files in the log folder, which VS Code
    // deletes with old sessions.
    this.output = this.store.add(new OutputChannelSink(join(context.logUri.fsPath, 'full-output')));
    const interpreters = this.store.add(new InterpreterSelection(this.output));
    // The engine is shut down by shutdown(), which deactivation awaits, not by dispose().
    this.engine = new EngineService(start, this.trust, this.output, interpreters);
    this.documents = this.store.add(new DocumentProcesses(this.engine, this.output));
    this.onDidChange = this.engine.onDidChange;
    this.onDidChangeSharing = this.documents.onDidChangeSharing;
  }

  get current(): Python | undefined {
    return this.engine.current;
  }

  get status(): EngineState {
    return this.engine.status;
  }

  get interpreter(): InterpreterDescription | undefined {
    const python = this.engine.current;
    return python ? describeInterpreter(python.interpreter, this.engine.interpreterSource) : undefined;
  }

  get trusted(): boolean {
    return this.trust.trusted;
  }

  python(): Promise<Python> {
    return this.engine.python();
  }

  process(uri: vscode.Uri): Promise<PyProcess> {
    return this.documents.get(uri);
  }

  findProcess(uri: vscode.Uri): PyProcess | undefined {
    return this.documents.find(uri);
  }

  documentsOf(proc: PyProcess): vscode.Uri[] {
    return this.documents.documentsOf(proc);
  }

  share(uri: vscode.Uri, target: vscode.Uri): Promise<PyProcess> {
    return this.documents.share(uri, target);
  }

  stopSharing(uri: vscode.Uri): boolean {
    return this.documents.stopSharing(uri);
  }

  observe(lifecycle: ProcessLifecycle): vscode.Disposable {
    return this.documents.observe(lifecycle);
  }

  claimBackgroundOutput(handler: BackgroundOutputHandler): vscode.Disposable {
    return this.documents.claimBackgroundOutput(handler);
  }

  requireTrust(action: string): boolean {
    return this.trust.require(action);
  }

  onDidGrantTrust(listener: () => void): vscode.Disposable {
    return this.trust.onDidGrant(listener);
  }

  /** Disposes the documents' processes bookkeeping, the interpreter selection and the channel. */
  dispose(): void {
    this.store.dispose();
  }

  /** Shuts the engine down: in-flight calls settle with an error, threads stop. */
  shutdown(): Promise<void> {
    return this.engine.dispose();
  }
}
