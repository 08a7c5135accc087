/**
 * Tracebacks as places in files: which frames deserve a link, which line of the document
 * failed, and where the `File "…", line N` references sit in output text. Python sends the
 * frames as data with the error (python/py_contexts/tracebacks.py, which also hides the
 * engine's own frames); nothing here parses a traceback back into frames. Pure; tested in
 * test/unit/traceback.unit.test.ts.
 */
import type { PythonException } from '../engine/errors';

/** The engine's PythonFrame, structurally (innermost last). */
export interface FrameLike {
  file: string;
  line: number;
  name: string;
}

export interface SourceLocation {
  /** A filesystem path, or a URI string for documents without one (untitled:Untitled-1). */
  file: string;
  line: number;
  name: string;
}

/** The engine's PythonError, structurally, so surfaces and tests need no engine code to build one. */
export interface PythonErrorLike {
  type: string;
  /** str(exception); the engine's `message` is `Type: text`. */
  pythonMessage: string;
  /** Python's own rendering of the whole traceback. */
  traceback: string;
  /** The raised exception's frames, innermost last; a SyntaxError's location last. */
  frames: readonly FrameLike[];
  /** Every exception Python prints, outermost cause first. */
  chain: readonly PythonException[];
}

export function isPythonErrorLike(e: unknown): e is PythonErrorLike {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o['type'] === 'string' &&
    typeof o['traceback'] === 'string' &&
    Array.isArray(o['frames']) &&
    Array.isArray(o['chain'])
  );
}

/**
 * The filename run selection compiles a document's code with: its path on disk, or its URI
 * for untitled and virtual documents, so the traceback can be mapped back to it.
 */
export function documentFilename(uri: { scheme: string; fsPath: string; toString(): string }): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** True for frames of code that is not in any file the user could open. */
function isSynthetic(file: string): boolean {
  return file === '' || (file.startsWith('<') && file.endsWith('>'));
}

/** Frames that point at real files the user wrote or uses, innermost last; `<stdin>`-like sources are dropped. */
export function locationsFromFrames(frames: readonly FrameLike[]): SourceLocation[] {
  return frames
    .filter((f) => !isSynthetic(f.file) && f.line > 0)
    .map((f) => ({ file: f.file, line: f.line, name: f.name }));
}

/** `file:line` in the form VS Code's output view and terminal already recognise. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}${loc.name && loc.name !== '<module>' ? ` in ${loc.name}` : ''}`;
}

/**
 * The 1-based line of `filename` to mark as failing: the innermost frame in that file (a
 * SyntaxError's location is the last frame), else the innermost place in that file anywhere
 * in the chain (the code that ran when a chained exception started).
 */
export function failingLine(err: PythonErrorLike, filename: string): number | undefined {
  const inFile = (frames: readonly FrameLike[]): number | undefined => {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (f && f.file === filename && f.line > 0) return f.line;
    }
    return undefined;
  };
  const direct = inFile(err.frames);
  if (direct !== undefined) return direct;
  for (let i = err.chain.length - 1; i >= 0; i--) {
    const exc = err.chain[i];
    const syntax = exc?.syntax;
    const line = syntax && syntax.file === filename && syntax.line > 0 ? syntax.line : inFile(exc?.frames ?? []);
    if (line !== undefined) return line;
  }
  return undefined;
}

export interface FileReference {
  /** Offset and length of the text to make clickable. */
  start: number;
  length: number;
  file: string;
  line: number;
}

const PY_REF = /File "([^"\n]+)", line (\d+)/g;

/** Python's `File "path", line N` references in a text, in order. */
export function findFileReferences(text: string): FileReference[] {
  const out: FileReference[] = [];
  for (const m of text.matchAll(PY_REF)) {
    const file = m[1] ?? '';
    if (isSynthetic(file)) continue;
    out.push({ start: m.index ?? 0, length: m[0].length, file, line: Number(m[2]) });
  }
  return out;
}
