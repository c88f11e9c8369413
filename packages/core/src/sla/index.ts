export * from './sla-policy.ts';
