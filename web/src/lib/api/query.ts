// Query strings for API paths, shared by every feature's calls.

/** `?a=1&b=2` from the defined, non-empty values, or nothing. */
export function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One path segment from an id. */
export const seg = encodeURIComponent;
