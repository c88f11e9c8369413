/**
 * @docket/engine: the workflow interpreter as a pure state machine.
 *
 *   const interpreter = createInterpreter(publishedGraph, { context });   // once per workflow version
 *   const { state, effects, outcome } = interpreter.start({ instanceId, ticket, form }, clock);
 *   const next = interpreter.handle(storedState, event, clock);           // human action, timer, outside event
 *
 * The caller stores `state` (plain JSON) and performs `effects` (create task, schedule timer, notify,
 * HTTP call, set ticket fields, end …) in one transaction. Step keys and idempotency keys are
 * deterministic, so handling the same event on the same stored state again gives the same result.
 */
export * from './sla/index.ts';
export * from './workflow/clock.ts';
export * from './workflow/define-executor.ts';
export * from './workflow/effects.ts';
export * from './workflow/events.ts';
export * from './workflow/executors/index.ts';
export * from './workflow/instance-state.ts';
export * from './workflow/interpreter.ts';
export * from './workflow/invariants.ts';
export * from './workflow/migrate-instance.ts';
export * from './workflow/simulate.ts';
