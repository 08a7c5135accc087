/**
 * The shared services every surface uses, behind the NotebookHost seam.
 */
import * as vscode from 'vscode';
import type { Python, PyProcess } from '../engine/types';
import type { DocumentProcesses } from './documents';
import type { EngineService } from './engine';
import type { BackgroundOutputHandler, NotebookHost } from './host';
import type { OutputChannelSink } from './output';
import type { TrustGuard } from './trust';

export class ExtensionHost implements NotebookHost {
  readonly onDidChange: vscode.Event<void>;

  constructor(
    readonly extensionUri: vscode.Uri,
    readonly engine: EngineService,
    readonly documents: DocumentProcesses,
    readonly trust: TrustGuard,
    readonly output: OutputChannelSink,
  ) {
    this.onDidChange = engine.onDidChange;
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

  claimBackgroundOutput(handler: BackgroundOutputHandler): vscode.Disposable {
    return this.documents.claimBackgroundOutput(handler);
  }

  requireTrust(action: string): boolean {
    return this.trust.require(action);
  }
}
