/**
 * "Share Environment with…" and "Stop Sharing" (issue 12, part 3): a document runs in
 * another open document's process, so a script and a notebook see the same variables.
 * The bookkeeping is the services' (src/services/documents.ts → src/processes/sharing.ts).
 */
import * as vscode from 'vscode';
import type { SurfaceHost } from '../../services/surfaceHost';
import { documentLabel } from '../../text/labels';

/** The open documents that have an environment to share: Python files and notebooks. */
function openDocuments(): vscode.Uri[] {
  const texts = vscode.workspace.textDocuments
    .filter((d) => d.languageId === 'python' && d.uri.scheme !== 'vscode-notebook-cell' && !d.isClosed)
    .map((d) => d.uri);
  return [...texts, ...vscode.workspace.notebookDocuments.filter((n) => !n.isClosed).map((n) => n.uri)];
}

function activeDocument(): vscode.Uri | undefined {
  const nb = vscode.window.activeNotebookEditor?.notebook;
  const text = vscode.window.activeTextEditor?.document;
  if (text && text.uri.scheme !== 'vscode-notebook-cell') return text.uri;
  return nb?.uri;
}

export class SharingCommands {
  constructor(
    private readonly host: Pick<SurfaceHost, 'findProcess' | 'share' | 'stopSharing' | 'requireTrust'>,
  ) {}

  /**
   * Binds `uri` (default: the active editor's document) to the process of `target`
   * (default: picked from the other open documents).
   */
  async share(uri?: vscode.Uri, target?: vscode.Uri): Promise<boolean> {
    const doc = uri instanceof vscode.Uri ? uri : activeDocument();
    if (!doc) {
      void vscode.window.showInformationMessage('Py Contexts: open a Python file or notebook to share its environment.');
      return false;
    }
    if (!this.host.requireTrust('Share Environment')) return false;
    let other = target instanceof vscode.Uri ? target : undefined;
    if (!other) {
      const own = doc.toString();
      const items = openDocuments()
        .filter((u) => u.toString() !== own)
        .map((u) => ({
          label: documentLabel(u.toString()),
          description: u.scheme === 'file' ? vscode.workspace.asRelativePath(u, false) : u.toString(),
          detail: this.host.findProcess(u) ? 'has an environment' : '',
          uri: u,
        }));
      if (items.length === 0) {
        void vscode.window.showInformationMessage('Py Contexts: no other Python file or notebook is open to share an environment with.');
        return false;
      }
      const pick = await vscode.window.showQuickPick(items, {
        title: `Share Environment: ${documentLabel(own)} will run in the environment of…`,
        placeHolder: 'Its own variables are dropped unless another document shares them',
      });
      other = pick?.uri;
    }
    if (!other) return false;
    try {
      await this.host.share(doc, other);
    } catch (e) {
      void vscode.window.showErrorMessage(`Py Contexts: could not share the environment: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    return true;
  }

  /** Gives `uri` (default: the active document) a fresh environment of its own again. */
  stopSharing(uri?: vscode.Uri): boolean {
    const doc = uri instanceof vscode.Uri ? uri : activeDocument();
    if (!doc || !this.host.stopSharing(doc)) {
      void vscode.window.showInformationMessage('Py Contexts: this document does not share an environment.');
      return false;
    }
    return true;
  }
}
