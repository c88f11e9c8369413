/** One message of a text/event-stream: its `event:` (when named) and its `data:` lines joined. */
export type StreamMessage = { event: string | undefined; data: string };

/**
 * Reads a response's event stream in the background, handing each message that carries data to
 * `onMessage`; resolves when the stream ends or is aborted (by the test, usually).
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array> | null,
  onMessage: (message: StreamMessage) => void,
): Promise<void> {
  if (!body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        const event = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        if (data) onMessage({ event, data });
      }
    }
  } catch {
    // aborted by the caller
  }
}
