/**
 * Workspace trust. User code never runs in an untrusted workspace: the engine itself
 * refuses to start there (EngineService), so no surface and no API caller can get around
 * this check by forgetting it. Surfaces call `require()` first only to say clearly why.
 */
import * as vscode from 'vscode';

export class UntrustedWorkspaceError extends Error {
  constructor(action: string) {
    super(`${action}: Py Contexts runs no Python code in an untrusted workspace (Restricted Mode). Trust the workspace to run code.`);
    this.name = 'UntrustedWorkspaceError';
  }
}

export class TrustGuard {
  private lastShown = 0;

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** True when code may run; otherwise tells the user why (at most every few seconds). */
  require(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    const now = Date.now();
    if (now - this.lastShown > 3000) {
      this.lastShown = now;
      void vscode.window
        .showWarningMessage(
          `${action} is not available: Py Contexts runs no Python code in an untrusted workspace (Restricted Mode).`,
          'Manage Workspace Trust',
        )
        .then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
        });
    }
    return false;
  }

  onDidGrant(listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidGrantWorkspaceTrust(listener);
  }
}
