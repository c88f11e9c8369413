import { startTransition, useCallback, useRef, useState } from 'react';

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
  if (!Object.is(seen.current, value)) {
    seen.current = value;
    if (!Object.is(sent.current, value)) {
      sent.current = value;
      // a value from outside: show it (setState during render is the documented way to derive it)
      setLocal(value);
    }
  }
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const set = useCallback((next: T) => {
    setLocal(next);
    sent.current = next;
    startTransition(() => onChangeRef.current(next));
  }, []);
  // Leaving the field or pressing Enter hands the value over at once, so a submit that follows
  // (a click on the button blurs the field first) checks what is shown.
  const flush = useCallback(() => {
    if (!Object.is(seen.current, sent.current)) onChangeRef.current(sent.current);
  }, []);
  return [local, set, flush];
}
