/** Op numbers understood by dispatch() in python/py_contexts/runtime.py (_OPS). */
export const OP = {
  closeEnv: 0, // handled in C++ (native/src/objects/context.cpp)
  exec: 1,
  eval: 2,
  run: 3,
  call: 4,
  variables: 5,
  saveState: 6,
  restoreState: 7,
  dataView: 8, // python/py_contexts/dataview.py request()
  live: 9, // completions, hover, signatures (python/py_contexts/live.py)
  chdir: 100, // handled in C++ (kOpChdir), far from runtime.py's numbers
} as const;

/**
 * Ops that read an environment and must never create one: submitted with
 * SUBMIT_EXISTING_ENV, they answer undefined where the process has none in that context.
 */
export const READS_EXISTING_ENV: ReadonlySet<number> = new Set([OP.variables, OP.saveState, OP.dataView, OP.live]);
