/**
 * The "Py Contexts" output channel: live output of user code tagged with its document,
 * tracebacks with clickable locations, and the extension's own notices.
 *
 * The channel is bounded (issue 17): a run shows its output up to its share of
 * `pyContexts.output.maxSize`, the rest goes to a file of the whole output, and the
 * channel drops its oldest text when it holds more than the setting allows. See
 * outputBudget.ts for the rules and why.
 */
import * as vscode from 'vscode';
import type { OutputStream } from '../engine/types';
import { FullOutputStore, type FullOutputFile } from './fullOutput';
import type { OutputSink, RunOutput } from './host';
import { CONFIG_SECTION, OUTPUT_CHANNEL } from './ids';
import { documentLabel } from './labels';
import { ChannelText, findFullOutputReference, formatSize, moreNote, outputLimits, overflowNote, RunShare, type OutputLimits } from './outputBudget';
import { formatPythonError, LineTagger } from './outputText';
import { findFileReferences, isPythonErrorLike } from './traceback';

/** How much recent text the test hook returns. */
const MIRROR_MAX = 256 * 1024;

/**
 * The link provider looks at this much of the end of an output document, never the whole
 * of it: it runs after every change, and getText() of a document of millions of lines is
 * itself a stall. Tracebacks scrolled further up keep their `path:line` text.
 */
const LINK_WINDOW_CHARS = 256 * 1024;
const LINK_WINDOW_LINES = 5000;
/** Lines longer than this hold no traceback reference worth a regular expression. */
const LINK_MAX_LINE = 4096;

export function readOutputLimits(): OutputLimits {
  return outputLimits(vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('output.maxSize'));
}

export class OutputChannelSink implements OutputSink, vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL);
  private readonly tagger = new LineTagger();
  private readonly links: vscode.Disposable;
  private readonly store: FullOutputStore;
  private text_: ChannelText;
  /** Characters dropped from the front of the channel so far, for the tests. */
  private trimmed = 0;

  constructor(
    fullOutputDir: string,
    private readonly limits: () => OutputLimits = readOutputLimits,
  ) {
    this.store = new FullOutputStore(fullOutputDir);
    this.text_ = new ChannelText(limits().maxChars);
    // Output channels are documents with the `output` scheme; a link provider for that
    // scheme turns Python's `File "…", line N` into a link to the exact line.
    this.links = vscode.languages.registerDocumentLinkProvider({ scheme: 'output' }, { provideDocumentLinks: provideOutputLinks });
  }

  private append(text: string): void {
    if (!text) return;
    const max = this.limits().maxChars;
    if (max !== this.text_.max) {
      const old = this.text_;
      this.text_ = new ChannelText(max);
      this.text_.append(old.newest(Math.floor(max / 2)));
      this.text_.size = old.size;
    }
    this.text_.append(text);
    if (this.text_.full) {
      // Replacing costs one copy of half the limit; it happens once per half a limit
      // appended, so the channel's cost per character stays constant.
      const before = this.text_.size;
      const kept = this.text_.trim(`[py-contexts] … older output dropped: the channel keeps ${formatSize(this.text_.max)} (setting pyContexts.output.maxSize)`);
      this.trimmed += before - kept.length;
      this.channel.replace(kept);
    } else {
      this.channel.append(text);
    }
  }

  stream(uri: vscode.Uri, stream: OutputStream, text: string): void {
    this.append(this.tagger.tag(documentLabel(uri.toString()), stream, text));
  }

  run(uri: vscode.Uri): RunOutput {
    const label = documentLabel(uri.toString());
    const share = new RunShare(this.limits().shareChars);
    // The run's text so far, for its file should it overflow; never more than its share.
    let head: string[] = [];
    let file: FullOutputFile | undefined;
    let ended = false;
    return {
      write: (stream, text) => {
        if (ended || !text) return;
        if (file) file.write(text);
        else head.push(text);
        const shown = share.take(text);
        if (shown) this.stream(uri, stream, shown);
        if (share.overflowed && !file) {
          file = this.store.create(label);
          file.write(head.join(''));
          head = [];
          this.append(this.tagger.block(label, 'stdout', overflowNote(share.share, file.path)));
        }
      },
      end: () => {
        if (ended) return Promise.resolve();
        ended = true;
        head = [];
        if (!file) return Promise.resolve();
        this.append(this.tagger.block(label, 'stdout', moreNote(share.hidden, file.path)));
        return file.end().catch((e: unknown) => {
          this.info(`the full output file ${file?.path ?? ''} is incomplete: ${e instanceof Error ? e.message : String(e)}`);
        });
      },
    };
  }

  fullOutputFile(label: string): FullOutputFile {
    return this.store.create(label);
  }

  /** The files holding whole outputs, newest last. */
  fullOutputFiles(): readonly { label: string; path: string }[] {
    return this.store.files;
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

  /** The newest text appended, for the integration tests. */
  text(): string {
    return this.text_.newest(MIRROR_MAX);
  }

  /** What the channel holds now and how much was dropped from its front, for the tests. */
  size(): { chars: number; trimmed: number; max: number } {
    return { chars: this.text_.size, trimmed: this.trimmed, max: this.text_.max };
  }

  dispose(): void {
    this.links.dispose();
    this.channel.dispose();
  }
}

function toUri(file: string): vscode.Uri {
  return /^[a-z][\w+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

/**
 * Links in the end of an output document: traceback references, and the notes that point
 * at a full output file. Only a bounded window at the end is read (see LINK_WINDOW_CHARS).
 */
function provideOutputLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
  const links: vscode.DocumentLink[] = [];
  let budget = LINK_WINDOW_CHARS;
  const first = Math.max(0, doc.lineCount - LINK_WINDOW_LINES);
  for (let i = doc.lineCount - 1; i >= first && budget > 0; i--) {
    const text = doc.lineAt(i).text;
    budget -= text.length + 1;
    if (text.length > LINK_MAX_LINE) continue;
    for (const ref of findFileReferences(text)) {
      const range = new vscode.Range(i, ref.start, i, ref.start + ref.length);
      // The `#L<line>` fragment makes VS Code open the file at that line.
      const link = new vscode.DocumentLink(range, toUri(ref.file).with({ fragment: `L${ref.line}` }));
      link.tooltip = `Open ${ref.file} at line ${ref.line}`;
      links.push(link);
    }
    const full = findFullOutputReference(text);
    if (full) {
      const link = new vscode.DocumentLink(new vscode.Range(i, full.start, i, full.start + full.length), vscode.Uri.file(full.file));
      link.tooltip = 'Open the full output';
      links.push(link);
    }
  }
  return links;
}
