import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

export class BodyTooSlow extends Error {
  constructor(readonly ms: number) {
    super(`The request body did not arrive within ${ms / 1000} s.`);
  }
}

/**
 * Reads a request body, refusing it as soon as it passes the limit (declared or streamed). With a
 * deadline, a body still arriving when it passes has its connection closed (BodyTooSlow).
 */
export async function readBody(req: IncomingMessage, limit: number, deadlineMs?: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = deadlineMs
    ? setTimeout(() => req.destroy(new BodyTooSlow(deadlineMs)), deadlineMs)
    : undefined;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new BodyTooLarge(limit);
      chunks.push(chunk as Buffer);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}
