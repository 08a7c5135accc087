/**
 * Completions, hover and signature help from the running environment of a `.py` editor or
 * a notebook cell, for documents whose process exists (README "Completions from the running
 * environment"). A thin adapter: the text is read by target.ts, the values by
 * python/py_contexts/live.py through PyProcess. VS Code merges these items with Pylance's
 * or Jedi's; ours say "live" on the right.
 *
 * Nothing here starts Python or creates an environment, and a busy context answers nothing
 * at once (PyProcess.completions), so typing never waits on a running cell.
 */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from '../../manifest/ids';
import type { LiveCompletion, LiveOptions, PyProcess } from '../../engine/types';
import { activeParameterIndex, callTarget, completionTarget, hoverTarget, type CompletionTarget } from './target';

/** What the providers need from the extension: the existing process of a document. */
export interface LiveHost {
  /** The process whose environment a document's code runs in (a cell's: its notebook's); never starts Python. */
  processOf(doc: vscode.TextDocument): PyProcess | undefined;
}

/** Marks our items among the other providers' (shown right-aligned in the list). */
export const LIVE_MARK = 'live';

/** How far back the text before the cursor is read: enough for a call spread over lines. */
const CONTEXT_LINES = 60;

const KINDS: Record<string, vscode.CompletionItemKind> = {
  module: vscode.CompletionItemKind.Module,
  class: vscode.CompletionItemKind.Class,
  function: vscode.CompletionItemKind.Function,
  method: vscode.CompletionItemKind.Method,
  property: vscode.CompletionItemKind.Property,
  field: vscode.CompletionItemKind.Field,
  key: vscode.CompletionItemKind.Constant,
  variable: vscode.CompletionItemKind.Variable,
};

function options(): LiveOptions {
  return { evaluateProperties: vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>('completions.evaluateProperties', false) };
}

function textBefore(doc: vscode.TextDocument, pos: vscode.Position): string {
  return doc.getText(new vscode.Range(Math.max(0, pos.line - CONTEXT_LINES), 0, pos.line, pos.character));
}

/** A Python string literal of `key`, for looking the item up again. */
function pyString(key: string): string {
  return `'${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

class LiveItem extends vscode.CompletionItem {
  constructor(
    c: LiveCompletion,
    readonly proc: PyProcess,
    readonly expr: string,
  ) {
    super({ label: c.label, description: LIVE_MARK }, KINDS[c.kind] ?? vscode.CompletionItemKind.Variable);
    this.detail = c.detail;
  }
}

function lookupOf(t: CompletionTarget, label: string): string {
  if (t.kind === 'attr') return `${t.expr}.${label}`;
  if (t.kind === 'key') return `${t.expr}[${pyString(label)}]`;
  return label;
}

/** Never an error into the editor: a closed process or a stopped engine just means no answer. */
async function quietly<T>(p: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await p();
  } catch {
    return undefined;
  }
}

export class LiveCompletionProvider implements vscode.CompletionItemProvider<LiveItem> {
  constructor(private readonly host: LiveHost) {}

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): Promise<LiveItem[] | undefined> {
    const proc = this.host.processOf(doc);
    if (!proc) return undefined;
    const target = completionTarget(textBefore(doc, pos));
    if (!target) return undefined;
    const items = await quietly(() => proc.completions(target.kind, target.expr, options()));
    if (!items) return undefined;
    const range = new vscode.Range(pos.line, pos.character - target.prefix.length, pos.line, pos.character);
    return items.map((c) => {
      const item = new LiveItem(c, proc, lookupOf(target, c.label));
      item.range = range;
      if (target.kind === 'key') item.insertText = c.label.replace(/\\/g, '\\\\').replace(new RegExp(target.quote, 'g'), `\\${target.quote}`);
      return item;
    });
  }

  async resolveCompletionItem(item: LiveItem): Promise<LiveItem> {
    const doc = await quietly(() => item.proc.documentation(item.expr, options()));
    if (doc && (doc.doc || doc.signature)) {
      const md = new vscode.MarkdownString();
      if (doc.signature) md.appendCodeblock(`${item.expr.split('.').pop() ?? ''}${doc.signature}`, 'python');
      if (doc.doc) md.appendText(doc.doc);
      item.documentation = md;
    }
    return item;
  }
}

export class LiveHoverProvider implements vscode.HoverProvider {
  constructor(private readonly host: LiveHost) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const proc = this.host.processOf(doc);
    if (!proc) return undefined;
    const target = hoverTarget(doc.lineAt(pos.line).text, pos.character);
    if (!target) return undefined;
    const h = await quietly(() => proc.hover(target.expr, options()));
    if (!h) return undefined;
    const md = new vscode.MarkdownString();
    md.appendCodeblock(h.signature !== undefined ? `${target.expr}${h.signature}` : `${target.expr}: ${h.type}`, 'python');
    if (h.signature === undefined || !h.repr.startsWith('<')) md.appendCodeblock(h.repr, 'text');
    if (h.doc) md.appendText(`${h.doc}\n\n`);
    md.appendMarkdown(`*${h.type} · from the running environment*`);
    return new vscode.Hover(md, new vscode.Range(pos.line, target.start, pos.line, target.end));
  }
}

export class LiveSignatureProvider implements vscode.SignatureHelpProvider {
  constructor(private readonly host: LiveHost) {}

  async provideSignatureHelp(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.SignatureHelp | undefined> {
    const proc = this.host.processOf(doc);
    if (!proc) return undefined;
    const target = callTarget(textBefore(doc, pos));
    if (!target) return undefined;
    const sig = await quietly(() => proc.signature(target.expr, options()));
    if (!sig) return undefined;
    const info = new vscode.SignatureInformation(sig.label, sig.doc ? `${sig.doc}\n\n(from the running environment)` : '(from the running environment)');
    info.parameters = sig.parameters.map((p) => new vscode.ParameterInformation(p.label));
    const help = new vscode.SignatureHelp();
    help.signatures = [info];
    help.activeSignature = 0;
    help.activeParameter = activeParameterIndex(sig.parameters, target);
    return help;
  }
}

/** Registers the three providers for Python in files, untitled editors and notebook cells. */
export function registerLiveProviders(host: LiveHost): vscode.Disposable {
  const selector: vscode.DocumentSelector = { language: 'python' };
  return vscode.Disposable.from(
    vscode.languages.registerCompletionItemProvider(selector, new LiveCompletionProvider(host), '.', '[', "'", '"'),
    vscode.languages.registerHoverProvider(selector, new LiveHoverProvider(host)),
    vscode.languages.registerSignatureHelpProvider(selector, new LiveSignatureProvider(host), '(', ','),
  );
}
