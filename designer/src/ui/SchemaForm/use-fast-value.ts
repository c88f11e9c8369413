import { startTransition, useCallback, useEffect, useRef, useState } from 'react';

/**
 * A field's value as the person types it. The keystroke paints at once from the field's own
 * state; the form (and whoever listens to it) learns of it in a transition, which React may
 * interrupt for the next keystroke. So a 200-field form costs one field's render per keystroke.
 * A value the form sets from outside (reset, a default, the server) replaces what is shown.
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
  if (!Object.is(seen.current, value)) {
    seen.current = value;
    if (!handed.current.some((v) => Object.is(v, value))) {
      sent.current = value;
      handed.current = [value];
      // a value from outside: show it (setState during render is the documented way to derive it)
      setLocal(value);
    }
  }
  useEffect(() => {
    if (Object.is(value, sent.current)) handed.current = [value];
  }, [value]);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const set = useCallback((next: T) => {
    setLocal(next);
    sent.current = next;
    handed.current.push(next);
    startTransition(() => onChangeRef.current(next));
  }, []);
  // Leaving the field or pressing Enter hands the value over at once, so a submit that follows
  // (a click on the button blurs the field first) checks what is shown.
  const flush = useCallback(() => {
    if (!Object.is(seen.current, sent.current)) onChangeRef.current(sent.current);
  }, []);
  return [local, set, flush];
}
