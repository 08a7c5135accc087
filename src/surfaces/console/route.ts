/**
 * Where a run from an editor shows its outputs (setting pyContexts.runSelection.target), and
 * which console belongs to which document. Pure; tested in test/unit/console.unit.test.ts.
 */
import type { DisplayData } from '../../engine/types';

export type RunTarget = 'inline' | 'console' | 'auto';

/** "auto" moves a run to the console once it printed more lines than this. */
export const AUTO_MAX_LINES = 5;

export function readTarget(value: unknown): RunTarget {
  return value === 'inline' || value === 'console' ? value : 'auto';
}

/** A display with more than plain text: a figure, HTML, an image. */
export function isRich(data: DisplayData): boolean {
  return Object.keys(data.data).some((mime) => mime !== 'text/plain');
}

/**
 * Follows one run and says when it belongs in the console: at once for "console"; for
 * "auto", from its first rich display, or at its end when it printed more than `maxLines`
 * lines but no more than `maxChars` characters; never for "inline". Once moved it stays moved.
 * Text alone moves a run only at its end: a flood (a loop printing megabytes) opening a
 * console and filling it as it runs made the shared extension host stall (issue 17's tests).
 */
export class RunRoute {
  private lines = 0;
  private chars = 0;
  private moved: boolean;

  constructor(
    readonly target: RunTarget,
    private readonly maxLines = AUTO_MAX_LINES,
    private readonly maxChars = CONSOLE_SHARE_CHARS,
  ) {
    this.moved = target === 'console';
  }

  get inConsole(): boolean {
    return this.moved;
  }

  /** Stream text; true when the run is in the console. Text alone never moves it before its end. */
  text(text: string): boolean {
    if (this.target === 'auto' && !this.moved && this.chars <= this.maxChars) {
      this.chars += text.length;
      if (this.lines <= this.maxLines) this.lines += text.split('\n').length - 1;
    }
    return this.moved;
  }

  /** The run ended: "auto" moves a run that printed more than a few lines, unless it flooded. */
  ended(): boolean {
    if (this.target === 'auto' && !this.moved && this.lines > this.maxLines && this.chars <= this.maxChars) this.moved = true;
    return this.moved;
  }

  display(data: DisplayData): boolean {
    if (this.target === 'auto' && isRich(data)) this.moved = true;
    return this.moved;
  }
}

/** Stream text one editor run may put into its console cell (the output channel has all of it). */
export const CONSOLE_SHARE_CHARS = 200_000;
export const CONSOLE_CUT_NOTE = "\n[py-contexts: the rest of this run's output is in the Py Contexts output channel]\n";

/**
 * The console's share of one run's stream text. A flood copied whole into the console would
 * make the host (shared by every extension) hold and write it twice, beside the output channel
 * and its full-output file: past the share, the console gets one note and nothing more.
 */
export class ConsoleShare {
  private chars = 0;

  constructor(private readonly limit = CONSOLE_SHARE_CHARS) {}

  /** The part of `text` the console shows ('' once the share is used up). */
  take(text: string): string {
    if (this.chars >= this.limit) return '';
    const room = this.limit - this.chars;
    if (text.length <= room) {
      this.chars += text.length;
      return text;
    }
    this.chars = this.limit;
    return text.slice(0, room) + CONSOLE_CUT_NOTE;
  }
}

export interface ConsoleEntry {
  /** The console's notebook uri (untitled:/Interactive-N.interactive). */
  readonly console: string;
  /** The document whose process the console's code runs in: its editor, or the console itself. */
  readonly owner: string;
  /** The editor's document, for a console opened from an editor. */
  readonly document?: string;
}

/** The open consoles, by notebook and by document. Keys are `uri.toString()`. */
export class ConsoleRegistry {
  private readonly byConsole = new Map<string, ConsoleEntry>();

  add(entry: ConsoleEntry): void {
    this.byConsole.set(entry.console, entry);
  }

  /** The newest open console of a document. */
  forDocument(document: string): ConsoleEntry | undefined {
    let found: ConsoleEntry | undefined;
    for (const e of this.byConsole.values()) if (e.document === document) found = e;
    return found;
  }

  /** Whose process runs the console's cells; a console we did not open runs in its own. */
  ownerOf(console: string): string {
    return this.byConsole.get(console)?.owner ?? console;
  }

  remove(console: string): boolean {
    return this.byConsole.delete(console);
  }

  get size(): number {
    return this.byConsole.size;
  }
}
