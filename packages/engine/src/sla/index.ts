export * from './sla-clock.ts';
export * from './sla-instants.ts';
export * from './sla-state.ts';
export * from './urge.ts';
