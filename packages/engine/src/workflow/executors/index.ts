import { createExecutorRegistry, type ExecutorRegistry } from '../define-executor.ts';
import { assignExecutor, httpRequestExecutor, notifyExecutor, setFieldsExecutor } from './actions.ts';
import {
  conditionExecutor,
  endExecutor,
  parallelJoinExecutor,
  parallelSplitExecutor,
  startExecutor,
  subWorkflowExecutor,
  timerExecutor,
} from './flow.ts';
import { followUpExecutor, humanStepExecutor } from './human-step.ts';

export const coreExecutors = [
  startExecutor,
  humanStepExecutor,
  conditionExecutor,
  parallelSplitExecutor,
  parallelJoinExecutor,
  timerExecutor,
  setFieldsExecutor,
  assignExecutor,
  notifyExecutor,
  httpRequestExecutor,
  subWorkflowExecutor,
  followUpExecutor,
  endExecutor,
] as const;

export const coreExecutorRegistry: ExecutorRegistry = createExecutorRegistry(coreExecutors);

export type { HttpResponsePayload } from './actions.ts';
