// A file the image classifier cannot look at, as every process names it: the classifier's
// own (platform/frames.ts, where FFmpeg fails on it) and those that ask it to score
// (the API and the worker), which must not load FFmpeg's libraries to recognise it.

/** FFmpeg found no picture it could read in the file. */
export class UndecodableMedia extends Error {
  override name = 'UndecodableMedia';
}

/**
 * A failure as the classifier's process answers it: its message, and whether FFmpeg
 * could not read the file.
 */
export function failureReply(id: number, err: unknown): { id: number; error: string; undecodable: boolean } {
  return {
    id,
    error: err instanceof Error ? err.message : String(err),
    undecodable: err instanceof UndecodableMedia,
  };
}
