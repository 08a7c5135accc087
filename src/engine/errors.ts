import type { NativeErrorInfo } from './native';

export interface PythonFrame {
  file: string;
  line: number;
  name: string;
}

/** A Python exception raised by user code, captured with its traceback on the context thread. */
export class PythonError extends Error {
  /** e.g. 'ZeroDivisionError', or 'module.Qualified' for non-builtin exceptions. */
  readonly type: string;
  /** str(exception) alone. `message` is `${type}: ${pythonMessage}`. */
  readonly pythonMessage: string;
  /** The full formatted Python traceback. */
  readonly traceback: string;
  /** Innermost last, as traceback.extract_tb gives them. */
  readonly frames: PythonFrame[];

  constructor(info: NativeErrorInfo) {
    super(info.message ? `${info.type}: ${info.message}` : info.type);
    this.name = 'PythonError';
    this.type = info.type;
    this.pythonMessage = info.message;
    this.traceback = info.traceback;
    this.frames = info.frames;
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
