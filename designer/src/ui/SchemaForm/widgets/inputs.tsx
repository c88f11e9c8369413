import { ariaDescribedByIds, getInputProps, type WidgetProps } from '@rjsf/utils';
import { Input, InputNumber } from 'antd';
import type { ChangeEvent } from 'react';
import { useFastValue } from '../use-fast-value.ts';

const FULL_WIDTH = { width: '100%' } as const;

type Value = string | number | undefined;

function isReadonlyDisabled(props: WidgetProps): boolean {
  const ctx = (props.registry.formContext ?? {}) as { readonlyAsDisabled?: boolean };
  return Boolean(props.disabled || ((ctx.readonlyAsDisabled ?? true) && props.readonly));
}

/**
 * The input behind text, email, url, tel and number fields (rjsf's BaseInputTemplate), typed into
 * the field's own state first (see useFastValue).
 */
export function FastBaseInput(props: WidgetProps) {
  const { id, htmlName, onBlur, onFocus, options, placeholder, readonly, required, schema, type } = props;
  const [value, setValue, flush] = useFastValue<Value>(props.value as Value, props.onChange);
  const inputProps = getInputProps(schema, type, options, false);
  const isDisabled = isReadonlyDisabled(props);
  const status = props.rawErrors?.length ? 'error' : undefined;
  if (inputProps.type === 'number' || inputProps.type === 'integer') {
    const { min, max, step } = inputProps;
    return (
      <InputNumber
        id={id}
        name={htmlName || id}
        disabled={isDisabled}
        placeholder={placeholder}
        required={required}
        style={FULL_WIDTH}
        changeOnWheel={false}
        status={status}
        min={typeof min === 'number' ? min : undefined}
        max={typeof max === 'number' ? max : undefined}
        step={typeof step === 'number' ? step : undefined}
        value={typeof value === 'number' ? value : value === undefined ? null : Number(value)}
        onChange={readonly ? undefined : (v) => setValue(v === null ? options.emptyValue : (v as number))}
        onBlur={
          readonly
            ? undefined
            : () => {
                flush();
                onBlur(id, value);
              }
        }
        onKeyDown={(e) => {
          if (e.key === 'Enter') flush();
        }}
        onFocus={readonly ? undefined : () => onFocus(id, value)}
        aria-describedby={ariaDescribedByIds(id)}
      />
    );
  }
  return (
    <Input
      id={id}
      name={htmlName || id}
      type={inputProps.type === 'tel' ? 'tel' : inputProps.type === 'email' ? 'email' : 'text'}
      inputMode={inputProps.type === 'tel' ? 'tel' : undefined}
      disabled={isDisabled}
      placeholder={placeholder}
      required={required}
      style={FULL_WIDTH}
      status={status}
      maxLength={typeof schema.maxLength === 'number' ? schema.maxLength : undefined}
      value={value === undefined ? '' : String(value)}
      onChange={
        readonly
          ? undefined
          : (e: ChangeEvent<HTMLInputElement>) =>
              setValue(e.target.value === '' ? options.emptyValue : e.target.value)
      }
      onBlur={
        readonly
          ? undefined
          : (e) => {
              flush();
              onBlur(id, e.target.value);
            }
      }
      onKeyDown={(e) => {
        if (e.key === 'Enter') flush();
      }}
      onFocus={readonly ? undefined : (e) => onFocus(id, e.target.value)}
      aria-describedby={ariaDescribedByIds(id)}
    />
  );
}

/** Long text, typed into the field's own state first (see useFastValue). */
export function FastTextareaWidget(props: WidgetProps) {
  const { id, htmlName, onBlur, onFocus, options, placeholder, readonly } = props;
  const [value, setValue, flush] = useFastValue<Value>(props.value as Value, props.onChange);
  return (
    <Input.TextArea
      id={id}
      name={htmlName || id}
      disabled={isReadonlyDisabled(props)}
      placeholder={placeholder}
      autoSize={{ minRows: typeof options.rows === 'number' ? options.rows : 3, maxRows: 12 }}
      style={FULL_WIDTH}
      status={props.rawErrors?.length ? 'error' : undefined}
      value={value === undefined ? '' : String(value)}
      onChange={
        readonly ? undefined : (e) => setValue(e.target.value === '' ? options.emptyValue : e.target.value)
      }
      onBlur={
        readonly
          ? undefined
          : (e) => {
              flush();
              onBlur(id, e.target.value);
            }
      }
      onKeyDown={(e) => {
        // Ctrl+Enter sends the page's form: what was typed goes with it
        if (e.key === 'Enter') flush();
      }}
      onFocus={readonly ? undefined : (e) => onFocus(id, e.target.value)}
      aria-describedby={ariaDescribedByIds(id)}
    />
  );
}

const CURRENCY_SYMBOL: Record<string, string> = {
  CNY: '¥',
  USD: '$',
  EUR: '€',
  GBP: '£',
  JPY: '¥',
  HKD: 'HK$',
};

/** An amount of money: two decimals (or what ui:options.precision says), the currency's symbol before it. */
export function MoneyWidget(props: WidgetProps) {
  const { id, onBlur, onFocus, options, placeholder, readonly, schema } = props;
  const [value, setValue, flush] = useFastValue<number | undefined>(
    typeof props.value === 'number' ? props.value : undefined,
    props.onChange,
  );
  const currency = typeof options.currency === 'string' ? options.currency : 'CNY';
  const precision = typeof options.precision === 'number' ? options.precision : 2;
  return (
    <InputNumber<number>
      id={id}
      name={id}
      disabled={isReadonlyDisabled(props)}
      placeholder={placeholder}
      prefix={CURRENCY_SYMBOL[currency] ?? currency}
      precision={precision}
      step={1}
      min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
      max={typeof schema.maximum === 'number' ? schema.maximum : undefined}
      style={FULL_WIDTH}
      status={props.rawErrors?.length ? 'error' : undefined}
      changeOnWheel={false}
      value={value ?? null}
      onChange={readonly ? undefined : (v) => setValue(v === null ? undefined : v)}
      onBlur={
        readonly
          ? undefined
          : () => {
              flush();
              onBlur(id, value);
            }
      }
      onKeyDown={(e) => {
        if (e.key === 'Enter') flush();
      }}
      onFocus={readonly ? undefined : () => onFocus(id, value)}
      aria-describedby={ariaDescribedByIds(id)}
    />
  );
}

/** A phone number: a text input the phone keypad opens for; its pattern lives in the schema. */
export function PhoneWidget(props: WidgetProps) {
  return <FastBaseInput {...props} type="tel" />;
}

/** An email address (format "email" in the schema). */
export function EmailWidget(props: WidgetProps) {
  return <FastBaseInput {...props} type="email" />;
}
