// Words for stored files: what kind of file, how big, and what happens to its deletion.
export { sizeWords } from '../format.ts';

/** What kind of file, from its stored content type. */
export function fileKindWords(contentType: string | null): string {
  if (!contentType) return 'File';
  if (contentType.startsWith('image/')) return `${contentType.slice(6).toUpperCase()} image`;
  if (contentType.startsWith('video/')) return 'Video';
  if (contentType.startsWith('audio/')) return 'Audio';
  return 'File';
}
