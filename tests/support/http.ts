// Response bodies in tests are checked field by field; typing them as any keeps the
// assertions readable.
export async function json(res: Response): Promise<any> {
  return res.json();
}

/**
 * Reads a server-sent event stream (a live view) until an event named `type` whose data
 * satisfies `until` arrives, and answers that data; the stream is closed either way.
 */
export async function heardEvent(
  res: Response,
  type: string,
  until: (data: any) => boolean,
  timeoutMs = 15_000,
): Promise<any> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  // Past the deadline the read ends (done), and the wait fails saying what it awaited.
  const deadline = AbortSignal.timeout(timeoutMs);
  deadline.addEventListener('abort', () => void reader.cancel(deadline.reason));
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`no "${type}" event as awaited within ${timeoutMs} ms`);
      buffered += value;
      const events = buffered.split('\n\n');
      buffered = events.pop()!;
      for (const event of events) {
        const lines = event.split('\n');
        if (!lines.includes(`event: ${type}`)) continue;
        const data = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice('data: '.length));
        if (until(data)) return data;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
