/**
 * Tracebacks as places in files: which frames deserve a link, which line of the document
 * failed, and where the `File "…", line N` references sit in output text. Pure; tested
 * in test/unit/traceback.unit.test.ts.
 */

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

/** The error fields run selection needs, structurally, so tests can build one. */
export interface PythonErrorLike {
  type: string;
  pythonMessage: string;
  traceback: string;
  frames: FrameLike[];
}

export function isPythonErrorLike(e: unknown): e is PythonErrorLike {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return typeof o['type'] === 'string' && typeof o['traceback'] === 'string' && Array.isArray(o['frames']);
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

/**
 * True for the extension's own Python helpers (python/py_contexts/*.py). A KeyboardInterrupt
 * raised while `input()` waits ends in them, but the user's code is the place to look at.
 */
function isInternal(file: string): boolean {
  return /[\\/]py_contexts[\\/][a-z_]+\.py$/.test(file);
}

/**
 * Frames that point at real files the user wrote or uses, innermost last; `<stdin>`-like
 * sources and the extension's own helpers are dropped.
 */
export function locationsFromFrames(frames: readonly FrameLike[]): SourceLocation[] {
  return frames
    .filter((f) => !isSynthetic(f.file) && !isInternal(f.file) && f.line > 0)
    .map((f) => ({ file: f.file, line: f.line, name: f.name }));
}

/** `file:line` in the form VS Code's output view and terminal already recognise. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}${loc.name && loc.name !== '<module>' ? ` in ${loc.name}` : ''}`;
}

/**
 * The 1-based line of `filename` to mark as failing: the innermost frame in that file, or,
 * for a SyntaxError (whose location is not a frame), the last `File "filename", line N` of
 * the traceback text.
 */
export function failingLine(err: PythonErrorLike, filename: string): number | undefined {
  for (let i = err.frames.length - 1; i >= 0; i--) {
    const f = err.frames[i];
    if (f && f.file === filename && f.line > 0) return f.line;
  }
  let found: number | undefined;
  for (const m of findFileReferences(err.traceback)) {
    if (m.file === filename) found = m.line;
  }
  return found;
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
