/**
 * The `vscode.` host functions behind `from py_contexts import vscode` (python/py_contexts/
 * vscode.py). Each is thin glue over a `HostUi`, the small slice of the VS Code API they use, so
 * tests can stand in for the user (answer a message, cancel a progress). Plain Node.
 */
import type { HostFunction } from '../../engine/bridge';

export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export interface ProgressSink {
  report(value: { message?: string; increment?: number }): void;
}

/** The slice of VS Code the functions use (src/surfaces/hostFunctions/index.ts makes the real one). */
export interface HostUi {
  showMessage(level: 'info' | 'warning' | 'error', message: string, items: string[]): PromiseLike<string | undefined>;
  showQuickPick(items: string[], placeholder: string | undefined): PromiseLike<string | undefined>;
  showInputBox(prompt: string | undefined, password: boolean, value: string | undefined): PromiseLike<string | undefined>;
  withProgress(title: string, cancellable: boolean, task: (progress: ProgressSink, token: CancelToken) => Promise<void>): PromiseLike<void>;
  open(path: string, line: number | undefined): PromiseLike<void>;
  clipboardRead(): PromiseLike<string>;
  clipboardWrite(text: string): PromiseLike<void>;
  workspaceFolders(): string[];
  /** False in an untrusted workspace: every function then refuses. */
  trusted(): boolean;
  /** Interrupts what runs on context `id` (Cancel of a progress). */
  interrupt(contextId: string): void;
}

interface OpenProgress {
  sink: ProgressSink | undefined;
  cancelled: boolean;
  end: () => void;
}

/** The functions, by name (without the `vscode.` prefix the registry adds). */
export function vscodeFunctions(ui: HostUi): Record<string, HostFunction> {
  const progresses = new Map<number, OpenProgress>();
  let nextProgress = 1;
  const guard = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
    if (!ui.trusted()) throw new Error('vscode functions are refused in an untrusted workspace (Restricted Mode)');
    return fn(...a);
  };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const fns: Record<string, (...a: never[]) => unknown> = {
    'window.showMessage': guard(async (level: string, message: string, items: string[]) => {
      const lvl = level === 'warning' || level === 'error' ? level : 'info';
      return (await ui.showMessage(lvl, String(message), Array.isArray(items) ? items.map(String) : [])) ?? null;
    }),
    'window.showQuickPick': guard(async (items: string[], placeholder: unknown) =>
      (await ui.showQuickPick(Array.isArray(items) ? items.map(String) : [], str(placeholder))) ?? null),
    'window.showInputBox': guard(async (prompt: unknown, password: unknown, value: unknown) =>
      (await ui.showInputBox(str(prompt), password === true, str(value))) ?? null),
    'window.progressStart': guard((title: string, cancellable: boolean, contextId: unknown) => {
      const id = nextProgress++;
      const entry: OpenProgress = { sink: undefined, cancelled: false, end: () => undefined };
      progresses.set(id, entry);
      const done = new Promise<void>((resolve) => {
        entry.end = resolve;
      });
      void Promise.resolve(ui.withProgress(String(title), cancellable === true, async (sink, token) => {
        entry.sink = sink;
        token.onCancellationRequested(() => {
          entry.cancelled = true;
          // The code inside the `with` block gets KeyboardInterrupt where it is.
          if (typeof contextId === 'string' && progresses.has(id)) ui.interrupt(contextId);
        });
        await done;
      })).then(undefined, () => undefined);
      return id;
    }),
    'window.progressReport': guard((id: number, message: unknown, increment: unknown) => {
      const p = progresses.get(id);
      if (!p) return false;
      const value: { message?: string; increment?: number } = {};
      if (typeof message === 'string') value.message = message;
      if (typeof increment === 'number') value.increment = increment;
      p.sink?.report(value);
      return p.cancelled;
    }),
    'window.progressEnd': (id: number) => {
      const p = progresses.get(id);
      progresses.delete(id);
      p?.end();
      return null;
    },
    open: guard(async (path: string, line: unknown) => {
      await ui.open(String(path), typeof line === 'number' ? line : undefined);
      return null;
    }),
    'env.clipboard.read': guard(() => ui.clipboardRead()),
    'env.clipboard.write': guard(async (text: string) => {
      await ui.clipboardWrite(String(text));
      return null;
    }),
    'workspace.folders': guard(() => ui.workspaceFolders()),
  };
  return fns as Record<string, HostFunction>;
}
