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
import type { OutputSink, RunOutput } from './surfaceHost';
import { CONFIG_SECTION, OUTPUT_CHANNEL } from '../manifest/ids';
import { documentLabel } from '../text/labels';
import { ChannelText, findFullOutputReference, moreNote, outputLimits, overflowNote, RunShare, type OutputLimits } from './outputBudget';
import { formatPythonError, LineTagger } from '../text/outputText';
import { formatSize } from '../text/sizes';
import { findFileReferences, isPythonErrorLike } from '../text/traceback';

/** How much recent text the test hook returns. */
const MIRROR_MAX = 256 * 1024;

/**
 * Most text handed to the channel per turn of the event loop. VS Code's append copies the
 * text several times in this host (it measures its UTF-8 size, writes it to the channel's
 * log file, then receives it back as a change of the channel's document); a few MB at once
 * measured as a stall of hundreds of milliseconds, 64 KB as about a millisecond.
 */
const APPEND_CHUNK = 64 * 1024;
/**
 * The pause between two chunks of a burst, so that VS Code's window reads the channel in
 * small pieces too: it sends each piece it read back into this host as a change of the
 * channel's document, and a change of megabytes measured as a 100 ms stall here. At most
 * about 4 MB a second reach the channel, more than anyone reads; a run's share of it
 * (2.5 MB by default) appears within a second.
 */
const APPEND_PAUSE_MS = 16;

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
  private readonly config: vscode.Disposable;
  private readonly store: FullOutputStore;
  /** Read once and on changes: getConfiguration() per append showed in profiles. */
  private limits: OutputLimits;
  private text_: ChannelText;
  /** Characters dropped from the front of the channel so far, for the tests. */
  private trimmed = 0;
  /** Text not yet handed to the channel, oldest first; `pump` hands it over in chunks. */
  private queue: string[] = [];
  /** Entries of `queue` before this index were handed over already. */
  private queued = 0;
  private pumping = false;
  private disposed = false;

  constructor(fullOutputDir: string) {
    this.store = new FullOutputStore(fullOutputDir);
    this.limits = readOutputLimits();
    this.text_ = new ChannelText(this.limits.maxChars);
    this.config = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${CONFIG_SECTION}.output`)) this.limits = readOutputLimits();
    });
    // Output channels are documents with the `output` scheme; a link provider for that
    // scheme turns Python's `File "…", line N` into a link to the exact line.
    this.links = vscode.languages.registerDocumentLinkProvider({ scheme: 'output' }, { provideDocumentLinks: provideOutputLinks });
  }

  private append(text: string): void {
    if (!text) return;
    const max = this.limits.maxChars;
    if (max !== this.text_.max) {
      const old = this.text_;
      this.text_ = new ChannelText(max);
      this.text_.append(old.newest(this.text_.keep));
      this.text_.size = old.size;
    }
    this.text_.append(text);
    if (this.text_.full) {
      // The channel is cleared (cheap: VS Code just moves its start) and its newest part
      // written again, in chunks like any text. That happens once per three quarters of
      // the limit appended, so the cost per character stays constant.
      const before = this.text_.size;
      const kept = this.text_.trim(`[py-contexts] … older output dropped: the channel keeps ${formatSize(this.text_.max)} (setting pyContexts.output.maxSize)`);
      this.trimmed += before - kept.length;
      this.queue = [kept];
      this.queued = 0;
      this.channel.clear();
    } else {
      this.queue.push(text);
    }
    if (!this.pumping) {
      this.pumping = true;
      setImmediate(() => this.pump());
    }
  }

  /** Hands queued text to the channel, at most APPEND_CHUNK characters per turn. */
  private pump(): void {
    if (this.disposed) return;
    let room = APPEND_CHUNK;
    const parts: string[] = [];
    while (room > 0 && this.queued < this.queue.length) {
      const head = this.queue[this.queued] ?? '';
      if (head.length <= room) {
        parts.push(head);
        room -= head.length;
        this.queued++;
      } else {
        parts.push(head.slice(0, room));
        this.queue[this.queued] = head.slice(room);
        room = 0;
      }
    }
    if (parts.length > 0) this.channel.append(parts.join(''));
    if (this.queued < this.queue.length) {
      setTimeout(() => this.pump(), APPEND_PAUSE_MS);
    } else {
      this.queue = [];
      this.queued = 0;
      this.pumping = false;
    }
  }

  stream(uri: vscode.Uri, stream: OutputStream, text: string): void {
    this.append(this.tagger.tag(documentLabel(uri.toString()), stream, text));
  }

  run(uri: vscode.Uri): RunOutput {
    const label = documentLabel(uri.toString());
    const share = new RunShare(this.limits.shareChars);
    // The run's text so far, for its file should it overflow; never more than its share.
    let head: string[] = [];
    let file: FullOutputFile | undefined;
    let ended: Promise<void> | undefined;
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
        if (ended) return ended;
        head = [];
        const f = file;
        if (!f) return (ended = Promise.resolve());
        this.append(this.tagger.block(label, 'stdout', moreNote(share.hidden, f.path)));
        ended = f.end().catch((e: unknown) => {
          this.info(`the full output file ${f.path} is incomplete: ${e instanceof Error ? e.message : String(e)}`);
        });
        return ended;
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
    this.disposed = true;
    this.links.dispose();
    this.config.dispose();
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
