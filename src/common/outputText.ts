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
    const parts = text.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) {
        out += '\n';
        this.atLineStart = true;
      }
      if (part === '') return;
      if (this.atLineStart) out += tag;
      out += part;
      this.atLineStart = false;
    });
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
