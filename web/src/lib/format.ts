// Sizes and ids in plain words, for any page ("1.2 MB", "3f2a9c1b…").

/** "1.2 MB", "340 KB", "512 bytes"; nothing when the size is unknown. */
export function sizeWords(bytes: number | null | undefined): string {
  if (bytes == null) return '';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A short form of an id for tables ("3f2a9c1b…"); the full id stays in a title. */
export const shortId = (id: string | null | undefined): string => (id ? `${id.slice(0, 8)}…` : '—');
