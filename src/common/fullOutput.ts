/**
 * Files that hold the whole output of a run or a notebook cell whose output was too big
 * to show (issue 17). Text is written as it arrives, so a 100 MB print loop never sits in
 * the extension host's memory; the files live in the extension's log folder, which VS Code
 * removes with old sessions. Plain Node: no vscode here.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/**
 * Output arrives in pieces from a few bytes (one print) up to a megabyte, up to 8 MB in
 * one turn of the event loop when Python got ahead. Writing a string converts it to UTF-8
 * right away, so the pieces are queued and handed to the file at most this many characters
 * per turn: a few milliseconds of work each, however much arrived at once. One write per
 * print would cost more than the text; a turn joins the pieces into one write.
 */
const WRITE_CHUNK = 512 * 1024;

export class FullOutputFile {
  private readonly out: WriteStream;
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
    this.out = createWriteStream(path, { encoding: 'utf8' });
    // A full disk must not take the extension host down; the file is then incomplete,
    // which `end()` reports.
    this.out.on('error', (e) => {
      this.failure ??= e;
    });
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
    const parts: string[] = [];
    while (room > 0 && this.written < this.queue.length) {
      const head = this.queue[this.written] ?? '';
      if (head.length <= room) {
        parts.push(head);
        room -= head.length;
        this.written++;
      } else {
        parts.push(head.slice(0, room));
        this.queue[this.written] = head.slice(room);
        room = 0;
      }
    }
    if (parts.length > 0 && !this.failure) this.out.write(parts.length === 1 ? (parts[0] ?? '') : parts.join(''));
    if (this.written < this.queue.length) {
      this.schedule();
      return;
    }
    this.queue = [];
    this.written = 0;
    this.drained?.();
  }

  /** Resolves when everything written is on disk; rejects if writing failed. */
  end(): Promise<void> {
    this.ending ??= new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        if (this.failure) {
          reject(this.failure);
          return;
        }
        this.out.end(() => (this.failure ? reject(this.failure) : resolve()));
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
