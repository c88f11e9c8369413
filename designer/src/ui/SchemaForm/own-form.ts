import type { FormEvent } from 'react';

/*
 * Chromium's autofill re-reads the whole form the typed field belongs to after each keystroke (a
 * task posted by the change: every control's label, visibility and value). In a form of 200
 * fields that is tens of milliseconds per key, more than the frame, and no page setting turns it
 * off. So the field being typed into belongs, while it has the focus, to a form of its own (an
 * empty <form> beside the generated one, named by the field's `form` attribute): autofill reads
 * one field. The generated form reads its values from its own state, not from its <form>, so
 * nothing else changes; Enter in the field still sends the generated form (relayed below).
 */

/** Inputs that take typing (a checkbox, radio or button is not typed into). */
const TYPED_INPUT = /^(text|search|email|tel|url|number|password)$/;

function isTypedControl(el: EventTarget | null): el is HTMLInputElement | HTMLTextAreaElement {
  if (el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && TYPED_INPUT.test(el.type);
}

/**
 * Within `container`, a typed field of the generated form that takes the focus moves to the form
 * `ownFormId` until it loses it. Answers the undoing.
 */
export function ownFormWhileFocused(container: HTMLElement, ownFormId: string): () => void {
  const onFocusIn = (e: FocusEvent) => {
    const el = e.target;
    if (!isTypedControl(el) || !el.form?.classList.contains('docket-schema-form')) return;
    el.dataset.ownForm = '';
    el.setAttribute('form', ownFormId);
  };
  const onFocusOut = (e: FocusEvent) => {
    const el = e.target;
    if (!isTypedControl(el) || el.dataset.ownForm === undefined) return;
    el.removeAttribute('form');
    delete el.dataset.ownForm;
  };
  container.addEventListener('focusin', onFocusIn);
  container.addEventListener('focusout', onFocusOut);
  return () => {
    container.removeEventListener('focusin', onFocusIn);
    container.removeEventListener('focusout', onFocusOut);
  };
}

/**
 * Enter in the field submits its own form (one text field: the browser's implicit submission).
 * Stops that and does what Enter does in the generated form: a click on its default (first)
 * submit button, or, without one, a submit when the typed field is its only text field.
 */
export function relayOwnFormSubmit(generated: () => HTMLFormElement | null) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = generated();
    if (!form) return;
    const button = [...form.elements].find(
      (el): el is HTMLButtonElement | HTMLInputElement =>
        (el instanceof HTMLButtonElement || el instanceof HTMLInputElement) && el.type === 'submit',
    );
    if (button) {
      if (!button.disabled) button.click();
      return;
    }
    const others = [...form.elements].filter(
      (el) => el instanceof HTMLInputElement && TYPED_INPUT.test(el.type),
    );
    if (others.length === 0) form.requestSubmit();
  };
}
