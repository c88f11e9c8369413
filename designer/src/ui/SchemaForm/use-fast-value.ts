import { startTransition, useCallback, useEffect, useRef, useState } from 'react';

/**
 * How long typing must pause before the form hears of it. The form's own update (rjsf derives its
 * whole state again: defaults and conditions over every field) takes tens of milliseconds on a long
 * form, more than a frame, so it waits for a pause rather than following each key.
 */
export const HANDOVER_MS = 250;

/**
 * A field's value as the person types it. The keystroke paints at once from the field's own
 * state; the form (and whoever listens to it) learns of it once the typing pauses (HANDOVER_MS),
 * in a transition, or at once when the person leaves the field or presses Enter (flush). So a
 * 200-field form costs one field's render per keystroke. A value the form sets from outside
 * (reset, a default, the server) replaces what is shown.
 */
export function useFastValue<T>(value: T, onChange: (value: T) => void): [T, (next: T) => void, () => void] {
  const [local, setLocal] = useState(value);
  const sent = useRef(value);
  const seen = useRef(value);
  // What was handed to the form since it last caught up with the typing. While the form's
  // transitions lag behind the keys (a loaded machine), renders bring back earlier keystrokes'
  // values, some of them from renders React then discards: those are not values from outside and
  // must not replace what the field shows. Cleared once a committed value is the last one sent.
  const handed = useRef<T[]>([value]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  if (!Object.is(seen.current, value)) {
    seen.current = value;
    if (!Object.is(value, sent.current) && !handed.current.some((v) => Object.is(v, value))) {
      sent.current = value;
      handed.current = [value];
      clearTimeout(timer.current);
      timer.current = undefined;
      // a value from outside: show it (setState during render is the documented way to derive it)
      setLocal(value);
    }
  }
  useEffect(() => {
    if (Object.is(value, sent.current)) handed.current = [value];
  }, [value]);
  // A field that goes away (its condition no longer holds, another template) drops what it had not handed over.
  useEffect(() => () => clearTimeout(timer.current), []);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const set = useCallback((next: T) => {
    setLocal(next);
    sent.current = next;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = undefined;
      const typed = sent.current;
      handed.current.push(typed);
      startTransition(() => onChangeRef.current(typed));
    }, HANDOVER_MS);
  }, []);
  // Leaving the field or pressing Enter hands the value over at once, so a submit that follows
  // (a click on the button blurs the field first) checks what is shown.
  const flush = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    if (!Object.is(seen.current, sent.current)) {
      handed.current.push(sent.current);
      onChangeRef.current(sent.current);
    }
  }, []);
  return [local, set, flush];
}
