/**
 * The "Py Contexts" output channel: live output of user code tagged with its document,
 * tracebacks with clickable locations, and the extension's own notices.
 */
import * as vscode from 'vscode';
import type { OutputStream } from '../engine/types';
import type { OutputSink } from './host';
import { OUTPUT_CHANNEL } from './ids';
import { formatPythonError, LineTagger } from './outputText';
import { findFileReferences, isPythonErrorLike } from './traceback';
import { documentLabel } from './labels';

/** How much recent text the test hook keeps; the channel itself keeps everything. */
const MIRROR_MAX = 256 * 1024;

export class OutputChannelSink implements OutputSink, vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL);
  private readonly tagger = new LineTagger();
  private readonly links: vscode.Disposable;
  private mirror = '';

  constructor() {
    // Output channels are documents with the `output` scheme; a link provider for that
    // scheme turns Python's `File "…", line N` into a link to the exact line.
    this.links = vscode.languages.registerDocumentLinkProvider({ scheme: 'output' }, { provideDocumentLinks: provideTracebackLinks });
  }

  private append(text: string): void {
    if (!text) return;
    this.channel.append(text);
    this.mirror += text;
    if (this.mirror.length > MIRROR_MAX) this.mirror = this.mirror.slice(-MIRROR_MAX / 2);
  }

  stream(uri: vscode.Uri, stream: OutputStream, text: string): void {
    this.append(this.tagger.tag(documentLabel(uri.toString()), stream, text));
  }

  error(uri: vscode.Uri, err: unknown): void {
    const text = isPythonErrorLike(err) ? formatPythonError(err) : err instanceof Error ? err.message : String(err);
    this.append(this.tagger.block(documentLabel(uri.toString()), 'stderr', text));
  }

  info(message: string): void {
    this.append(this.tagger.block('py-contexts', 'stdout', message));
  }

  show(): void {
    this.channel.show(true);
  }

  /** Everything appended recently, for the integration tests. */
  text(): string {
    return this.mirror;
  }

  dispose(): void {
    this.links.dispose();
    this.channel.dispose();
  }
}

function toUri(file: string): vscode.Uri {
  return /^[a-z][\w+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

function provideTracebackLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
  const text = doc.getText();
  return findFileReferences(text).map((ref) => {
    const range = new vscode.Range(doc.positionAt(ref.start), doc.positionAt(ref.start + ref.length));
    // The `#L<line>` fragment makes VS Code open the file at that line.
    const link = new vscode.DocumentLink(range, toUri(ref.file).with({ fragment: `L${ref.line}` }));
    link.tooltip = `Open ${ref.file} at line ${ref.line}`;
    return link;
  });
}
