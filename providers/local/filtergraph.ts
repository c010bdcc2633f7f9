// Writing values into an ffmpeg filter graph. A graph is parsed twice: once to split it
// into filters (where `\ ' [ ] , ;` are special) and once per filter to split its options
// (where `' \ :` are). A user's prompt goes through both, so every value we did not write
// ourselves is quoted for the option parser and then escaped for the graph parser; with
// `expansion=none` drawtext then draws the text exactly as given, `%{…}` included.

/** Characters the graph parser gives a meaning to. */
const GRAPH_SPECIAL = /[\\'[\],;]/g;

/** Quotes a value for a filter's option parser: inside '…' only the quote itself is special. */
function quoteOption(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Escapes an already quoted option for the graph parser. */
function escapeForGraph(text: string): string {
  return text.replace(GRAPH_SPECIAL, (c) => `\\${c}`);
}

/** `key=value` for a filter's option list, safe whatever the value holds. */
export function option(key: string, value: string | number): string {
  return typeof value === 'number' ? `${key}=${value}` : `${key}=${escapeForGraph(quoteOption(value))}`;
}

/** A filter with its options: `drawtext=a=1:b=…`. */
export function filter(name: string, options: readonly string[]): string {
  return options.length === 0 ? name : `${name}=${options.join(':')}`;
}

/** Three decimals: enough for positions and times, and stable across runs. */
export const num = (n: number): string => String(Math.round(n * 1000) / 1000);
