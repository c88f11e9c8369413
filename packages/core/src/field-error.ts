/**
 * An error a person can fix: where (a JSON pointer or a dotted input path), a stable code,
 * and a message that says what is wrong and what would be right.
 */
export type FieldError = {
  path: string;
  code: string;
  message: string;
};

export class ValidationFailed extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[], message?: string) {
    super(message ?? errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; '));
    this.name = 'ValidationFailed';
    this.errors = errors;
  }
}

export const fieldError = (path: string, code: string, message: string): FieldError => ({
  path,
  code,
  message,
});
