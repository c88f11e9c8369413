/**
 * Where to go after signing in, from ?next=: only a path of this app (never another site, as
 * "//evil.example" or "https://…" would be), else null.
 */
export function safeNextPath(next: string | null): string | null {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}
