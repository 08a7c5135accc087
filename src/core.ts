/**
 * The plain-Node engine API (dist/core.js). See README "Core API".
 */
export { startPython } from './engine/python';
export { PythonError, PyValue, TimeoutError, EngineStartError } from './engine/errors';
export type { PythonFrame, PythonException } from './engine/errors';
export type {
  BackgroundOutputListener,
  Context,
  ContextStats,
  DisplayData,
  InterpreterInfo,
  OutputStream,
  ProcessOptions,
  PyProcess,
  Python,
  RunOptions,
  StartOptions,
  ValueRepr,
  VariableInfo,
  VariableLimits,
} from './engine/types';
export type { HostFunction, SharedState, StateChange, StateLimits } from './engine/bridge';
export type { ColumnSummary, DataViewColumn, DataViewCondition, DataViewFilter, DataViewMeta, DataViewPage, DataViewRequest, DataViewSort } from './engine/dataView';
export type { Capabilities, PoolMode, PoolOptions } from './engine/pools';
