/**
 * Files that hold the whole output of a run or a notebook cell whose output was too big
 * to show (issue 17). Text is written as it arrives, so a 100 MB print loop never sits in
 * the extension host's memory; the files live in the extension's log folder, which VS Code
 * removes with old sessions. Plain Node: no vscode here.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/**
 * Output arrives in many small pieces (one per print, coalesced only as far as the engine
 * got ahead of the JS thread). One write call per piece cost more than the text itself, so
 * pieces are joined into writes of about this size, sent at the latest on the next turn of
 * the event loop.
 */
const WRITE_CHUNK = 256 * 1024;

export class FullOutputFile {
  private readonly out: WriteStream;
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private ending: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Characters written so far. */
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
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= WRITE_CHUNK) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.pendingChars === 0) return;
    const text = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (!this.failure) this.out.write(text);
  }

  /** Resolves when everything written is on disk; rejects if writing failed. */
  end(): Promise<void> {
    this.ending ??= new Promise<void>((resolve, reject) => {
      this.flush();
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.out.end(() => (this.failure ? reject(this.failure) : resolve()));
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
