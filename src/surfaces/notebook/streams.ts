/**
 * The output of one running cell, in order, at a pace the window can take.
 *
 * Python may call `print` thousands of times a second. Sending each write to the window
 * as its own output item would flood the renderer, so stream text is collected for a short
 * while and sent in one piece; a display() output first sends the text written before it,
 * so the order the user sees is the order the code produced. Past a limit, stream text is
 * no longer shown, which keeps an endless `print` loop from freezing VS Code or growing the
 * notebook file without bound; a note says so and, when the writer has a file for the whole
 * output, where all of it is, and at the end how much more there was.
 *
 * Plain TypeScript: the controller supplies the sink that talks to VS Code.
 */
import type { OutputStream } from '../../engine/types';
import { formatSize } from '../../text/sizes';
import type { OutputSpec } from './outputs';

/** Where the whole output of a cell goes once it is too big to show (services/fullOutput.ts). */
export interface OverflowFile {
  readonly path: string;
  write(text: string): void;
  /** Resolves when everything written is on disk. */
  end(): Promise<void>;
}

export type OutputOp =
  /**
   * Stream text. `append` is true when the previous op was text of the same stream, so it
   * belongs in the same output (Jupyter keeps one `stream` output per run of same-stream
   * text); otherwise it starts a new output.
   */
  | { readonly kind: 'stream'; readonly stream: OutputStream; readonly text: string; readonly append: boolean }
  /**
   * A rich output. With `displayId` it can be replaced later; `update` asks to replace the
   * output shown earlier with that id (and is dropped when this cell never showed it,
   * as Jupyter front ends ignore unknown ids).
   */
  | { readonly kind: 'rich'; readonly output: OutputSpec; readonly displayId?: string; readonly update?: boolean }
  /** clear_output(): remove every output of the cell so far. */
  | { readonly kind: 'clear' };

export interface DisplayTarget {
  displayId: string;
  update: boolean;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WriterOptions {
  /** How long stream text waits for more before it is sent. */
  flushMs?: number;
  /** Stream characters kept per cell; later text is dropped with a note. */
  maxChars?: number;
  timers?: Timers;
  /** Opens a file for the whole output, once the cell's output passes maxChars. */
  overflow?: () => OverflowFile;
}

export const DEFAULT_FLUSH_MS = 50;
export const DEFAULT_MAX_CHARS = 1_000_000;

export function truncationNote(maxChars: number, file?: string): string {
  const rest = file ? `the rest goes to the full output, ${file}` : 'the rest is not shown';
  return `\n… [output truncated: this cell printed more than ${maxChars.toLocaleString('en-US')} characters; ${rest}]\n`;
}

/** The last line of a truncated cell's output: how much was not shown, and where it is. */
export function fullOutputNote(hiddenChars: number, file: string): string {
  return `… ${formatSize(hiddenChars)} more: open the full output ${file}\n`;
}

const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class CellOutputWriter {
  private readonly flushMs: number;
  private readonly maxChars: number;
  private readonly timers: Timers;
  private readonly overflow: (() => OverflowFile) | undefined;
  /** Everything written since the last clear, while it is shown: the start of the file. */
  private shownText: string[] = [];
  private file: OverflowFile | undefined;
  private fileStream: OutputStream = 'stdout';
  private hidden = 0;
  /** Text not yet sent, as consecutive same-stream runs. */
  private pending: { stream: OutputStream; text: string }[] = [];
  private timer: unknown;
  private written = 0;
  private truncated = false;
  private lastStream: OutputStream | undefined;
  /** Every op goes through this chain, so the sink sees them one at a time and in order. */
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  /** clear_output(wait=True) happened: clear when the next output arrives. */
  private clearOnNext = false;

  constructor(
    private readonly sink: (op: OutputOp) => Promise<void> | void,
    options: WriterOptions = {},
  ) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    this.timers = options.timers ?? nodeTimers;
    this.overflow = options.overflow;
  }

  /** Stream text from the running code. Cheap: it only buffers and arms a timer. */
  write(stream: OutputStream, text: string): void {
    if (this.closed || text === '') return;
    if (this.clearOnNext) this.clearNow();
    if (this.truncated) {
      this.file?.write(text);
      this.hidden += text.length;
      return;
    }
    if (this.overflow) this.shownText.push(text);
    const room = this.maxChars - this.written;
    let note = '';
    if (text.length > room) {
      this.hidden += text.length - room;
      text = text.slice(0, room);
      this.truncated = true;
      note = truncationNote(this.maxChars);
      if (this.overflow) {
        this.file = this.overflow();
        this.fileStream = stream;
        this.file.write(this.shownText.join(''));
        this.shownText = [];
        note = truncationNote(this.maxChars, this.file.path);
      }
    }
    this.written += text.length;
    const last = this.pending[this.pending.length - 1];
    if (last && last.stream === stream) last.text += text;
    else if (text !== '') this.pending.push({ stream, text });
    if (this.truncated) {
      // The note goes to the stream that overflowed, right after the last text kept.
      const tail = this.pending[this.pending.length - 1];
      if (tail && tail.stream === stream) tail.text += note;
      else this.pending.push({ stream, text: note });
      // The chain never rejects (enqueue keeps a sink failure for close()), so nothing is lost.
      void this.flush();
      return;
    }
    if (this.timer === undefined) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.flushMs);
    }
  }

  /** A rich output: it follows the text written before it. */
  display(output: OutputSpec, target?: DisplayTarget): void {
    if (this.closed) return;
    if (this.clearOnNext) this.clearNow();
    void this.flush();
    this.lastStream = undefined;
    this.enqueue({ kind: 'rich', output, ...(target ? { displayId: target.displayId, update: target.update } : {}) });
  }

  /**
   * clear_output(): the text not yet sent is dropped with everything shown so far, and the
   * size limit starts over, so a loop that redraws its output never hits it. With `wait`
   * the clearing happens when the next output arrives, which avoids a blank flash.
   */
  clear(wait: boolean): void {
    if (this.closed) return;
    this.pending = [];
    if (wait) this.clearOnNext = true;
    else this.clearNow();
  }

  private clearNow(): void {
    this.clearOnNext = false;
    this.endFile();
    this.shownText = [];
    this.pending = [];
    this.lastStream = undefined;
    this.written = 0;
    this.truncated = false;
    this.enqueue({ kind: 'clear' });
  }

  /** Sends buffered text now (the returned promise settles when the sink has it). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const runs = this.pending;
    this.pending = [];
    for (const run of runs) {
      const append = this.lastStream === run.stream;
      this.lastStream = run.stream;
      this.enqueue({ kind: 'stream', stream: run.stream, text: run.text, append });
    }
    return this.chain;
  }

  /**
   * Sends what is buffered and waits until the sink has everything; later writes are
   * ignored (a thread of the cell may still print after the cell ended). Rejects with the
   * first error the sink threw.
   */
  async close(): Promise<void> {
    if (!this.closed) this.endFile();
    await this.flush();
    this.closed = true;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Finishes the file of a truncated output with the note of how much more it holds. */
  private endFile(): void {
    const file = this.file;
    this.file = undefined;
    this.shownText = [];
    if (!file) return;
    const hidden = this.hidden;
    this.hidden = 0;
    const done = file.end();
    const last = this.pending[this.pending.length - 1];
    const note = fullOutputNote(hidden, file.path);
    if (last && last.stream === this.fileStream) last.text += note;
    else this.pending.push({ stream: this.fileStream, text: note });
    // The note goes out once the file is complete, so what it points at is all there.
    this.chain = this.chain.then(() => done.catch(() => undefined));
  }

  /** True once output was dropped for exceeding maxChars. */
  get wasTruncated(): boolean {
    return this.truncated;
  }

  private enqueue(op: OutputOp): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.sink(op);
      } catch (e) {
        this.failure = e;
      }
    });
  }
}
