import type { NativeErrorInfo } from './native';

export interface PythonFrame {
  file: string;
  line: number;
  name: string;
  /** The source line, stripped (empty when Python could not read it). Set in `chain` frames. */
  source?: string;
}

/**
 * One exception of a chain, as Python describes it (python/py_contexts/tracebacks.py). The
 * engine's own frames are already gone.
 */
export interface PythonException {
  type: string;
  message: string;
  /** Python's lines for the exception itself: `Type: message`, notes, a SyntaxError's line and caret. */
  summary: string[];
  /** Innermost last. */
  frames: PythonFrame[];
  /** How it follows the exception before it: `raise … from` ('cause') or raised while handling it ('context'). */
  link?: 'cause' | 'context';
  /** A SyntaxError's location (not a frame). */
  syntax?: { file: string; line: number };
  /** A very deep traceback keeps its ends: `count` frames of `depth` are left out after the first `after`. */
  omitted?: { after: number; count: number; depth: number };
  /** An exception group's members, each a chain of its own. */
  members?: PythonException[][];
  membersOmitted?: number;
}

/** A Python exception raised by user code, captured with its traceback on the context thread. */
export class PythonError extends Error {
  /** e.g. 'ZeroDivisionError', or 'module.Qualified' for non-builtin exceptions. */
  readonly type: string;
  /** str(exception) alone. `message` is `${type}: ${pythonMessage}`. */
  readonly pythonMessage: string;
  /** The full traceback as Python prints it (chained exceptions included, the engine's frames left out). */
  readonly traceback: string;
  /** The raised exception's frames, innermost last, as traceback.extract_tb gives them; a SyntaxError's location last. */
  readonly frames: PythonFrame[];
  /** Every exception Python prints, outermost cause first; the raised one is last. */
  readonly chain: PythonException[];

  constructor(info: NativeErrorInfo) {
    super(info.message ? `${info.type}: ${info.message}` : info.type);
    this.name = 'PythonError';
    this.type = info.type;
    this.pythonMessage = info.message;
    this.traceback = info.traceback;
    this.frames = info.frames;
    // Errors the addon makes itself (native/src/errors/capture.cpp MakeError) carry no chain.
    this.chain = info.chain ?? [
      { type: info.type, message: info.message, summary: [info.message ? `${info.type}: ${info.message}` : info.type], frames: info.frames },
    ];
    this.stack = `${this.name}: ${this.message}\n${info.traceback}`;
  }
}

/** A Python value with no JS mapping: its type name and repr. */
export class PyValue {
  constructor(
    readonly type: string,
    readonly repr: string,
  ) {}

  toString(): string {
    return this.repr;
  }
}

/** Rejection for calls whose `timeoutMs` expired (the code was interrupted). */
export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`Python call timed out after ${ms} ms (the code was interrupted)`);
    this.name = 'TimeoutError';
  }
}

/** Why the engine could not start, with the fix to show the user. */
export class EngineStartError extends Error {
  constructor(
    readonly code:
      | 'python-not-found'
      | 'unsupported-python'
      | 'no-shared-libpython'
      | 'restart-required'
      | 'addon-load'
      | 'init'
      | 'already-running',
    message: string,
    readonly fix: string,
  ) {
    super(`${message}\nFix: ${fix}`);
    this.name = 'EngineStartError';
  }
}
