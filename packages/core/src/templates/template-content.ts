import { type FieldError, fieldError } from '../field-error.ts';
import { checkFormSchema, type FormSchema } from '../forms/form-validator.ts';
import { isPriority, type Priority } from '../tickets/status.ts';
import { parseNumberPattern } from './number-pattern.ts';

/** What a template version holds. A draft has the same shape; publishing freezes a copy. */
export type TemplateContent = {
  name: string;
  description?: string;
  /** Category path, one to four levels, e.g. ["After-sales", "Returns", "Refund"]. */
  categoryPath: string[];
  defaultPriority: Priority;
  numberPattern: string;
  formSchema: FormSchema;
  uiSchema: Record<string, unknown>;
  /**
   * The workflow tickets of this template run: its key in a draft. Publishing pins the workflow's
   * newest published version to the template version, so later workflow versions change nothing
   * until the template is published again.
   */
  workflowKey?: string;
};

export const TEMPLATE_KEY_RE = /^[a-z][a-z0-9_-]{1,39}$/;

/** A key of a template or a workflow: what users type and URLs carry. */
export function checkTemplateKey(key: unknown, path = '/key', what = 'template'): FieldError[] {
  if (typeof key !== 'string' || !TEMPLATE_KEY_RE.test(key))
    return [
      fieldError(
        path,
        'invalid_key',
        `A ${what} key is 2 to 40 characters: lowercase letters, digits, "-" or "_", starting with a letter (e.g. "returns").`,
      ),
    ];
  return [];
}

/** Every problem with a template's content, each naming its field. */
export function checkTemplateContent(c: Partial<TemplateContent>): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof c.name !== 'string' || c.name.trim().length === 0)
    errors.push(fieldError('/name', 'required', 'A template needs a name.'));
  else if (c.name.length > 120)
    errors.push(fieldError('/name', 'too_long', 'A name may have at most 120 characters.'));

  if (!Array.isArray(c.categoryPath) || c.categoryPath.length < 1 || c.categoryPath.length > 4)
    errors.push(fieldError('/categoryPath', 'bad_depth', 'The category path needs one to four levels.'));
  else
    c.categoryPath.forEach((level, i) => {
      if (typeof level !== 'string' || level.trim().length === 0 || level.length > 60)
        errors.push(
          fieldError(`/categoryPath/${i}`, 'invalid', `Category level ${i + 1} must be 1 to 60 characters.`),
        );
    });

  if (!isPriority(c.defaultPriority))
    errors.push(
      fieldError('/defaultPriority', 'invalid', 'The default priority must be urgent, high, normal or low.'),
    );

  const pattern = parseNumberPattern(c.numberPattern as string);
  if (!Array.isArray(pattern)) errors.push(pattern);

  errors.push(...checkFormSchema(c.formSchema));
  if (c.workflowKey != null) errors.push(...checkTemplateKey(c.workflowKey, '/workflowKey', 'workflow'));
  if (
    c.uiSchema !== undefined &&
    (c.uiSchema === null || typeof c.uiSchema !== 'object' || Array.isArray(c.uiSchema))
  )
    errors.push(fieldError('/uiSchema', 'invalid', 'The uiSchema must be an object.'));
  return errors;
}

export const emptyTemplateContent = (name: string): TemplateContent => ({
  name,
  categoryPath: ['General'],
  defaultPriority: 'normal',
  numberPattern: 'T-{yyyyMMdd}-{seq:6}',
  formSchema: { type: 'object', properties: {} },
  uiSchema: {},
});
