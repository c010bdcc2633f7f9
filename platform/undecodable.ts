// A file the image classifier cannot look at, as every process names it: the classifier's
// own (platform/frames.ts, where FFmpeg fails on it, and its answer in
// image-classifier-process.ts) and those that ask it to score (the API and the worker),
// which must not load FFmpeg's libraries to recognise it.

/** FFmpeg found no picture it could read in the file. */
export class UndecodableMedia extends Error {
  override name = 'UndecodableMedia';
}
