/** What a mutation answers when it refuses: a typed error's message and, for bad input, each field's. */
export type RefusalLike = {
  message?: string | null;
  fields?: readonly { path?: string | null; message?: string | null }[] | null;
};

/** A refusal sorted for a page that shows a generated form beside fields of its own. */
export type SplitRefusal = {
  /** The message of the refusal as a whole ('' when there is none). */
  message: string;
  /** Messages of the generated form's fields, by their path inside the form ("/logistics/carrier"). */
  formErrors: Record<string, string>;
  /** Messages of every other field, by their full path ("/contact/email"). */
  otherErrors: Record<string, string>;
};

/**
 * Splits a refusal's field messages into the generated form's (their paths under `prefix`, made
 * relative to it) and the page's own. A path that is the prefix itself ("" once relative)
 * names the whole form.
 */
export function splitRefusal(refusal: RefusalLike | null | undefined, prefix = '/formData'): SplitRefusal {
  const formErrors: Record<string, string> = {};
  const otherErrors: Record<string, string> = {};
  for (const f of refusal?.fields ?? []) {
    const path = f.path ?? '';
    const message = f.message ?? '';
    if (path === prefix || path.startsWith(`${prefix}/`)) formErrors[path.slice(prefix.length)] = message;
    else otherErrors[path] = message;
  }
  return { message: refusal?.message ?? '', formErrors, otherErrors };
}
