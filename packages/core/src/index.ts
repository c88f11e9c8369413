export * from './access/access.ts';
export * from './calendar/index.ts';
export * from './field-error.ts';
export * from './forms/form-validator.ts';
export * from './templates/number-pattern.ts';
export * from './templates/template-content.ts';
export * from './tickets/status.ts';
export * from './workflow/index.ts';
