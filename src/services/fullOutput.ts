/**
 * Files that hold the whole output of a run or a notebook cell whose output was too big
 * to show (issue 17). Text is written as it arrives, so a 100 MB print loop never sits in
 * the extension host's memory; the files live in the extension's log folder, which VS Code
 * removes with old sessions. Plain Node: no vscode here.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Output arrives in pieces of up to 32 KB, up to 256 KB of them per turn of the event loop
 * (the addon's budget, two turns back to back at most). The pieces are queued and written
 * at most this many characters per turn: more than arrives in one, so the queue never
 * grows and its strings die young (a queue that fell behind held tens of MB, which V8
 * moved to the old generation and then collected in 100 ms pauses: issue 17).
 *
 * The writes are synchronous, on purpose: `fs.writeSync(fd, string)` encodes the string
 * in C++ without making a Buffer. A WriteStream makes one Buffer per write, and 50 MB of
 * Buffers in flight pushed the host into full garbage collections while a print flood
 * went to its file (profiled, issue 17). A write of a megabyte into the page cache takes
 * well under a millisecond, less than the callbacks of an asynchronous one.
 */
const WRITE_CHUNK = 1024 * 1024;

export class FullOutputFile {
  private fd: number | undefined;
  private queue: string[] = [];
  /** Entries of `queue` before this index were written already. */
  private written = 0;
  private scheduled = false;
  private ending: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private failure: Error | undefined;
  /** Characters written so far (queued included). */
  chars = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      // A full disk or a read-only folder must not take the extension host down; the file
      // is then missing, which `end()` reports.
      this.failure = e as Error;
    }
  }

  write(text: string): void {
    if (this.ending || this.failure || !text) return;
    this.chars += text.length;
    this.queue.push(text);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    let room = WRITE_CHUNK;
    // Piece by piece, never joined: a joined megabyte is a large-object string for V8,
    // and one per turn kept its old generation collecting (profiled, issue 17).
    while (room > 0 && this.written < this.queue.length && !this.failure) {
      let head = this.queue[this.written] ?? '';
      if (head.length <= room) {
        this.written++;
      } else {
        this.queue[this.written] = head.slice(room);
        head = head.slice(0, room);
      }
      room -= head.length;
      if (this.fd === undefined) continue;
      try {
        writeSync(this.fd, head);
      } catch (e) {
        this.failure = e as Error;
      }
    }
    if (this.written < this.queue.length && !this.failure) {
      this.schedule();
      return;
    }
    this.queue = [];
    this.written = 0;
    this.drained?.();
  }

  /** Resolves when everything written is in the file; rejects if writing failed. */
  end(): Promise<void> {
    this.ending ??= new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        if (this.fd !== undefined) {
          try {
            closeSync(this.fd);
          } catch (e) {
            this.failure ??= e as Error;
          }
          this.fd = undefined;
        }
        if (this.failure) reject(this.failure);
        else resolve();
      };
      if (this.written >= this.queue.length && !this.scheduled) finish();
      else this.drained = finish;
    });
    return this.ending;
  }
}

/** Names and creates the files of one extension session in `dir`. */
export class FullOutputStore {
  private counter = 0;
  /** Newest last; the "Open Full Output" command offers these. */
  readonly files: { label: string; path: string }[] = [];

  constructor(private readonly dir: string) {}

  create(label: string): FullOutputFile {
    mkdirSync(this.dir, { recursive: true });
    const safe = label.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'output';
    const path = join(this.dir, `${String(++this.counter).padStart(4, '0')}-${safe}.txt`);
    this.files.push({ label, path });
    if (this.files.length > 50) this.files.shift();
    return new FullOutputFile(path);
  }
}
