/**
 * Text for the "Py Contexts" output channel. Several documents can print at the same time,
 * so every line is tagged with its document; a chunk that ends mid-line is continued
 * without a second tag. Pure; tested in test/unit/outputText.unit.test.ts.
 */
import { formatLocation, locationsFromFrames, type PythonErrorLike } from './traceback';

export type Stream = 'stdout' | 'stderr';

export function tagFor(label: string, stream: Stream): string {
  return stream === 'stderr' ? `[${label}:stderr] ` : `[${label}] `;
}

/** A newline followed by more text on its line. */
const NEWLINE_BEFORE_TEXT = /\n(?=[^\n])/g;

export class LineTagger {
  private atLineStart = true;
  private lastTag = '';

  /** The text to append for `text` printed by `label` on `stream`. */
  tag(label: string, stream: Stream, text: string): string {
    if (text === '') return '';
    const tag = tagFor(label, stream);
    let out = '';
    if (!this.atLineStart && tag !== this.lastTag) {
      // Another writer interrupts a partial line: finish it so tags stay at line starts.
      out += '\n';
      this.atLineStart = true;
    }
    // One native pass instead of a concatenation per line: a 2.5 MB share of a flood is
    // 50,000 lines. A tag goes at the start of every non-empty line.
    if (this.atLineStart && text.charCodeAt(0) !== 10) out += tag;
    out += text.includes('\n') ? text.replace(NEWLINE_BEFORE_TEXT, `\n${tag.replace(/\$/g, '$$$$')}`) : text;
    this.atLineStart = text.charCodeAt(text.length - 1) === 10;
    this.lastTag = tag;
    return out;
  }

  /** A whole block of lines (an error, a notice), starting on a fresh line. */
  block(label: string, stream: Stream, text: string): string {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    const lead = this.atLineStart ? '' : '\n';
    this.atLineStart = true;
    return lead + this.tag(label, stream, body);
  }
}

/**
 * A Python error for the channel: Python's own traceback (VS Code links its
 * `File "…", line N` references through our link provider), then the innermost real
 * location as `path:line`, which every terminal and the output view recognise too.
 */
export function formatPythonError(err: PythonErrorLike): string {
  const tb = err.traceback.trimEnd() || `${err.type}: ${err.pythonMessage}`;
  const locs = locationsFromFrames(err.frames);
  const last = locs[locs.length - 1];
  return last ? `${tb}\n  at ${formatLocation(last)}` : tb;
}
