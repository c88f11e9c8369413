/**
 * Whether an upload's declared content type is one the server accepts (an entry may be
 * "image/*"), and whether its first bytes agree with it for the kinds that have a signature
 * (images, PDF, zip-based office files): a renamed executable is not an image.
 */
export function isAcceptedType(contentType: string, accepted: readonly string[]): boolean {
  const type = baseType(contentType);
  return accepted.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}

export const baseType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

const ZIP = [0x50, 0x4b];
const SIGNATURES: Record<string, number[][]> = {
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/gif': [[0x47, 0x49, 0x46, 0x38]],
  'image/webp': [[0x52, 0x49, 0x46, 0x46]],
  'application/pdf': [[0x25, 0x50, 0x44, 0x46]],
  'application/zip': [ZIP],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [ZIP],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [ZIP],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': [ZIP],
};

export function bytesMatchType(contentType: string, bytes: Buffer): boolean {
  const signatures = SIGNATURES[baseType(contentType)];
  if (!signatures) return true;
  return signatures.some((sig) => sig.every((b, i) => bytes[i] === b));
}

/** A file name as the server keeps it: no directories, no control characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || 'file').slice(0, 200);
}
