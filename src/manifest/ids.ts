/**
 * Every identifier the manifest (package.json `contributes`) and the code share, in one
 * place, so that a rename cannot leave the two out of step.
 */
export const EXTENSION_ID = 'py-contexts.py-contexts';
export const OUTPUT_CHANNEL = 'Py Contexts';
export const CONFIG_SECTION = 'pyContexts';

export const VIEW_CONTEXT_POOL = 'pyContexts.contextPool';
export const VIEW_PLOTS = 'pyContexts.plots';

export const Commands = {
  runSelection: 'pyContexts.runSelection',
  runFile: 'pyContexts.runFile',
  runCell: 'pyContexts.runCell',
  runAbove: 'pyContexts.runAbove',
  bindToContext: 'pyContexts.bindToContext',
  bindHere: 'pyContexts.bindHere',
  unbind: 'pyContexts.unbind',
  resetEnvironment: 'pyContexts.resetEnvironment',
  interrupt: 'pyContexts.interrupt',
  restartContext: 'pyContexts.restartContext',
  showOutput: 'pyContexts.showOutput',
  openFullOutput: 'pyContexts.openFullOutput',
  refreshTree: 'pyContexts.refreshTree',
  openSettings: 'pyContexts.openSettings',
  viewData: 'pyContexts.viewData',
  openConsole: 'pyContexts.openConsole',
  plotsPrevious: 'pyContexts.plots.previous',
  plotsNext: 'pyContexts.plots.next',
  plotsSave: 'pyContexts.plots.save',
  plotsClear: 'pyContexts.plots.clear',
  shareEnvironment: 'pyContexts.shareEnvironment',
  stopSharing: 'pyContexts.stopSharing',
} as const;

/** `when`-clause keys the extension sets with `setContext`. */
export const ContextKeys = {
  /** The engine has started (commands that act on contexts only make sense then). */
  engineStarted: 'pyContexts.engineStarted',
  /** The active editor's document has a process. */
  activeHasProcess: 'pyContexts.activeHasProcess',
  /** The active editor's document is bound to a context. */
  activeIsBound: 'pyContexts.activeIsBound',
  /** Some context is busy, so Interrupt applies. */
  anyBusy: 'pyContexts.anyBusy',
  /** The Plots view has at least one plot. */
  hasPlots: 'pyContexts.hasPlots',
} as const;
