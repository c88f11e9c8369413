import { withOpenFieldOrder } from '@docket/core';
import Form from '@rjsf/antd';
import type {
  ErrorSchema,
  RegistryWidgetsType,
  RJSFSchema,
  RJSFValidationError,
  TemplatesType,
  UiSchema,
} from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { Button } from 'antd';
import {
  createContext,
  type ReactNode,
  startTransition,
  useCallback,
  useContext,
  useMemo,
  useRef,
} from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../i18n/i18n.ts';
import { withSchemaEnumNames } from './enum-names.ts';
import { localizeErrors, serverErrorSchema } from './error-messages.ts';
import { FieldErrorTemplate, type SchemaFormContext } from './FieldErrorTemplate.tsx';
import { FieldTemplate } from './FieldTemplate.tsx';
import { rjsfTranslator } from './rjsf-strings.ts';
import { SectionedObject } from './SectionedObject.tsx';
import {
  CascaderWidget,
  OrgUnitPickerWidget,
  TreeChoiceWidget,
  UserPickerWidget,
} from './widgets/choices.tsx';
import { FilesWidget } from './widgets/FilesWidget.tsx';
import {
  EmailWidget,
  FastBaseInput,
  FastTextareaWidget,
  MoneyWidget,
  PhoneWidget,
} from './widgets/inputs.tsx';
import { RichTextWidget } from './widgets/RichTextWidget.tsx';
import './schema-form.css';

export type FormData = Record<string, unknown>;

/** The widgets a ticket form may name in its uiSchema ("ui:widget"), besides rjsf's own. */
export const SCHEMA_FORM_WIDGETS = {
  TextareaWidget: FastTextareaWidget,
  textarea: FastTextareaWidget,
  EmailWidget,
  email: EmailWidget,
  money: MoneyWidget,
  phone: PhoneWidget,
  cascader: CascaderWidget,
  tree: TreeChoiceWidget,
  richtext: RichTextWidget,
  user: UserPickerWidget,
  orgUnit: OrgUnitPickerWidget,
  files: FilesWidget,
} satisfies RegistryWidgetsType;

export type SchemaFormWidget = keyof typeof SCHEMA_FORM_WIDGETS;

/** The errors show beside their fields; rjsf would also log them to the console without this. */
const ignoreErrors = () => {};

/** Children in place of rjsf's own submit button, when the form has none. */
const NO_BUTTONS = <span hidden />;

/**
 * What shows after the fields (the submit button, or the caller's children). rjsf gets one element
 * that never changes, which draws them from this context: rjsf compares its props deeply and, when
 * any differs, derives its whole state from them again, so a button's new label (another language)
 * or its busy spinner would count as a new form.
 */
const AfterFields = createContext<ReactNode>(null);
function AfterFieldsOutlet() {
  return useContext(AfterFields);
}
const AFTER_FIELDS = <AfterFieldsOutlet />;

const TEMPLATES: Partial<TemplatesType> = {
  BaseInputTemplate: FastBaseInput,
  FieldTemplate,
  FieldErrorTemplate,
  ObjectFieldTemplate: SectionedObject,
};
const DEFAULT_STATE_BEHAVIOR = {
  emptyObjectFields: 'skipDefaults',
  arrayMinItems: { populate: 'never' },
} as const;

export type SchemaFormProps = {
  schema: RJSFSchema;
  uiSchema?: UiSchema;
  formData?: FormData;
  /**
   * Every change, in a transition. A text field's typing comes once it pauses (or the person leaves
   * the field or presses Enter): a keystroke paints without the form or the page rendering again.
   */
  onChange?: (formData: FormData) => void;
  /** The form's data once it passes the schema's rules; without it no submit button shows. */
  onSubmit?: (formData: FormData) => void;
  isReadOnly?: boolean;
  /** The server's messages by field path ("/amount" or "address.city"), shown beside their fields. */
  serverErrors?: Readonly<Record<string, string>>;
  /** Check each field when the person leaves it (off: checked on submit). */
  isValidatedOnBlur?: boolean;
  submitLabel?: ReactNode;
  isSubmitting?: boolean;
  /** Buttons and the like after the fields, in place of the submit button. */
  children?: ReactNode;
  id?: string;
};

/**
 * The form generated from a template's JSON Schema and uiSchema, as agents, customers and the
 * form builder's preview see it: rjsf with the antd theme and ajv 8 (the same rules the server
 * checks), messages in the page's language beside their fields, and the ticket widgets (money,
 * phone, email, dates, cascader and tree choices, rich text, user and org-unit pickers, files).
 * Text fields are typed into their own state first and hand it to the form when the typing pauses,
 * so a long form costs one field's render per keystroke.
 */
export function SchemaForm({
  schema,
  uiSchema,
  formData,
  onChange,
  onSubmit,
  isReadOnly = false,
  serverErrors,
  isValidatedOnBlur = false,
  submitLabel,
  isSubmitting = false,
  children,
  id,
}: SchemaFormProps) {
  const { t } = useTranslation('schemaForm');
  const language = currentLanguage();
  const translateString = useMemo(() => rjsfTranslator(language), [language]);
  const formContext = useMemo<SchemaFormContext>(
    () => ({ descriptionLocation: 'below', errorSources: new Map() }),
    [],
  );
  const transformErrors = useCallback(
    (errors: RJSFValidationError[]) =>
      localizeErrors(errors, {
        t: t as unknown as (k: string, o?: Record<string, unknown>) => string,
        language,
        schema,
        sources: formContext.errorSources,
      }),
    [t, language, schema, formContext],
  );
  const extraErrors = useMemo(
    () => serverErrorSchema(serverErrors) as ErrorSchema | undefined,
    [serverErrors],
  );
  const fullUiSchema = useMemo<UiSchema>(
    () => ({
      ...withOpenFieldOrder(withSchemaEnumNames(schema, uiSchema) as UiSchema | undefined),
      'ui:submitButtonOptions': { norender: true },
    }),
    [schema, uiSchema],
  );
  // The form keeps its own data: the parent's formData reaches rjsf only when it is not a value
  // the form itself reported. An echo of the form's own change would make rjsf derive its state
  // from props again, after a submit's check, and drop the errors that check just showed; and
  // while the parent's transitions lag behind the typing, an echo of an earlier keystroke would
  // take back the keystrokes after it.
  // A new schema (the form builder's preview while its fields are edited) has rjsf derive its state
  // from the props: it then gets the data last reported, not what it was given before the typing.
  const reported = useRef(new WeakSet<FormData>());
  const lastReported = useRef<FormData | undefined>(undefined);
  const shown = useRef<FormData | undefined>(formData);
  const shownFor = useRef(schema);
  if (formData !== shown.current && !(formData && reported.current.has(formData))) shown.current = formData;
  else if (schema !== shownFor.current && formData !== undefined && lastReported.current)
    shown.current = lastReported.current;
  shownFor.current = schema;
  const handleChange = useCallback(
    (e: { formData?: unknown }) => {
      if (!onChange) return;
      const data = (e.formData ?? {}) as FormData;
      reported.current.add(data);
      lastReported.current = data;
      startTransition(() => onChange(data));
    },
    [onChange],
  );
  const handleSubmit = useCallback(
    (e: { formData?: unknown }) => onSubmit?.((e.formData ?? {}) as FormData),
    [onSubmit],
  );

  const hasSubmit = onSubmit !== undefined && !isReadOnly;
  const afterFields = useMemo(
    () =>
      children ??
      (hasSubmit ? (
        <Button type="primary" htmlType="submit" loading={isSubmitting}>
          {submitLabel ?? t('submit')}
        </Button>
      ) : (
        NO_BUTTONS
      )),
    [children, hasSubmit, isSubmitting, submitLabel, t],
  );

  return (
    <AfterFields.Provider value={afterFields}>
      <Form
        id={id}
        className="docket-schema-form"
        schema={schema}
        uiSchema={fullUiSchema}
        formData={shown.current}
        validator={validator}
        widgets={SCHEMA_FORM_WIDGETS}
        templates={TEMPLATES}
        formContext={formContext}
        extraErrors={extraErrors}
        extraErrorsBlockSubmit={false}
        transformErrors={transformErrors}
        translateString={translateString}
        showErrorList={false}
        noHtml5Validate
        liveValidate={isValidatedOnBlur ? 'onBlur' : undefined}
        focusOnFirstError
        readonly={isReadOnly}
        experimental_defaultFormStateBehavior={DEFAULT_STATE_BEHAVIOR}
        onChange={handleChange}
        onSubmit={handleSubmit}
        onError={ignoreErrors}
      >
        {AFTER_FIELDS}
      </Form>
    </AfterFields.Provider>
  );
}

export default SchemaForm;
