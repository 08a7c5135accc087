/**
 * How much text the "Py Contexts" output channel takes, so that a print loop can never
 * freeze the extension host (issue 17). Every character appended to the channel is copied
 * into VS Code's output model and back into the extension host's copy of that document,
 * where other extensions' listeners and our link provider see it; an unbounded channel
 * makes all of that grow without limit. So:
 *
 * - each run may show up to its share of the channel; the rest of its output goes only to
 *   a file holding all of it, and the channel says how much more there was and where;
 * - the channel as a whole keeps at most `max` characters: past that, it is cleared and its
 *   newest quarter written again, so the oldest output goes first.
 *
 * Pure; tested in test/unit/outputBudget.unit.test.ts.
 */
import { formatSize } from '../text/sizes';

/**
 * The default of `pyContexts.output.maxSize`, in millions of characters. Issue 17 asked for
 * about 10; measured, a channel that big stalls the host by itself: VS Code copies the
 * channel's text into the extension host as a document, and its built-in merge-conflict
 * extension reads all of it (`getText()`) after each burst of changes, about 8 ms per
 * million characters here plus the garbage it leaves (a 6 MB channel: 70-80 ms, 3 MB still
 * 50 ms at times). Two million characters keep that well under the 50 ms goal; users who
 * want more scrollback raise it.
 */
export const DEFAULT_MAX_SIZE_MB = 2;

/** The part of the channel one run may fill before the rest of its output goes to a file. */
export const RUN_SHARE = 1 / 4;
/**
 * And never more than this many characters (see DEFAULT_MAX_SIZE_MB for why the channel is
 * kept small). Half a million characters is 10,000 lines of a flood, more than anyone
 * scrolls; the file has the rest.
 */
export const RUN_SHARE_MAX = 500_000;

export interface OutputLimits {
  /** Characters the channel keeps at most. */
  maxChars: number;
  /** Characters one run shows in the channel before the rest goes only to its file. */
  shareChars: number;
}

/** Limits from the setting's value in millions of characters; junk means the default. */
export function outputLimits(maxSizeMb: unknown): OutputLimits {
  const mb = typeof maxSizeMb === 'number' && Number.isFinite(maxSizeMb) && maxSizeMb > 0 ? Math.min(maxSizeMb, 1000) : DEFAULT_MAX_SIZE_MB;
  const maxChars = Math.max(Math.round(mb * 1_000_000), 10_000);
  return { maxChars, shareChars: Math.min(Math.floor(maxChars * RUN_SHARE), RUN_SHARE_MAX) };
}

/** Said once when a run's output goes past its share of the channel. */
export function overflowNote(shareChars: number, file: string): string {
  return `… more than ${formatSize(shareChars)} of output: the rest goes to the full output, ${file}`;
}

/** Said when the run ends: how much was not shown, and where all of it is. */
export function moreNote(hiddenChars: number, file: string): string {
  return `… ${formatSize(hiddenChars)} more: open the full output ${file}`;
}

/** One run's share of the channel: text passes until the share is used, the rest is counted. */
export class RunShare {
  shown = 0;
  hidden = 0;

  constructor(readonly share: number) {}

  /** The part of `text` to show in the channel; the rest counts as hidden. */
  take(text: string): string {
    const room = this.share - this.shown;
    if (room >= text.length) {
      this.shown += text.length;
      return text;
    }
    const part = room > 0 ? text.slice(0, room) : '';
    this.shown += part.length;
    this.hidden += text.length - part.length;
    return part;
  }

  get overflowed(): boolean {
    return this.hidden > 0;
  }
}

/**
 * What the channel holds, as far as we appended it: the total since the last trim, and the
 * newest `keep` characters (as the chunks they were appended in, so appending stays cheap).
 */
export class ChannelText {
  private chunks: string[] = [];
  /** Chunks before this index are dropped (compacted now and then, never per append). */
  private first = 0;
  private kept = 0;
  /** Characters in the channel since it was last replaced. */
  size = 0;

  constructor(
    readonly max: number,
    readonly keep = Math.floor(max / 4),
  ) {}

  append(text: string): void {
    if (!text) return;
    this.chunks.push(text);
    this.kept += text.length;
    this.size += text.length;
    // Drop whole chunks that lie entirely before the newest `keep` characters.
    while (this.first < this.chunks.length - 1 && this.kept - (this.chunks[this.first]?.length ?? 0) >= this.keep) {
      this.kept -= this.chunks[this.first]?.length ?? 0;
      this.first++;
    }
    if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  /** True when the channel holds more than `max` characters and should be trimmed. */
  get full(): boolean {
    return this.size > this.max;
  }

  /** The newest `chars` characters (at most what is kept). */
  newest(chars: number): string {
    const out: string[] = [];
    let n = 0;
    for (let i = this.chunks.length - 1; i >= this.first && n < chars; i--) {
      const c = this.chunks[i] ?? '';
      out.push(c);
      n += c.length;
    }
    const text = out.reverse().join('');
    return text.length > chars ? text.slice(text.length - chars) : text;
  }

  /**
   * The text to replace the channel with: its newest `keep` characters, from the start of a
   * line, after a line that says older output was dropped. The channel then holds that.
   */
  trim(note: string): string {
    let text = this.newest(this.keep);
    const nl = text.indexOf('\n');
    if (nl >= 0 && nl < text.length - 1) text = text.slice(nl + 1);
    const replaced = `${note}\n${text}`;
    this.chunks = [replaced];
    this.first = 0;
    this.kept = replaced.length;
    this.size = replaced.length;
    return replaced;
  }
}

/**
 * Where a note above names a full output file, in one line of output: the range to make
 * a link, and the file.
 */
export function findFullOutputReference(line: string): { start: number; length: number; file: string } | undefined {
  const m = /(open the full output|the rest goes to the full output,) (\S.*\.txt)\s*$/.exec(line);
  if (!m || m.index === undefined) return undefined;
  const file = m[2] ?? '';
  return { start: m.index, length: m[0].trimEnd().length, file };
}
