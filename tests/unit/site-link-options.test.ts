// The site's `data-sveltekit-*` link options hold values SvelteKit knows. SvelteKit warns
// about an unknown one in development only, and then behaves as no documented value says
// (the library's and the job page's Download links had "off" for "false"). The valid
// values are read from the installed SvelteKit, so an upgrade that changes them is checked
// against the site too.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** SvelteKit's own table of link options and their values (its client's utils.js). */
async function validLinkOptions(): Promise<Map<string, string[]>> {
  const source = await readFile(
    path.join(ROOT, 'node_modules/@sveltejs/kit/src/runtime/client/utils.js'),
    'utf8',
  );
  const table = /const valid_link_options = [^(]*\(\{([^}]*)\}\)/.exec(source)?.[1];
  if (!table) throw new Error('SvelteKit no longer has valid_link_options in its client utils');
  const options = new Map<string, string[]>();
  for (const [, name, values] of table.matchAll(/'?([a-z-]+)'?:\s*\[([^\]]*)\]/g)) {
    options.set(
      name!,
      [...values!.matchAll(/'([^']*)'/g)].map((m) => m[1]!),
    );
  }
  return options;
}

async function siteFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(svelte|html)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the site’s SvelteKit link options', () => {
  it('uses only values SvelteKit accepts', async () => {
    const valid = await validLinkOptions();
    expect(valid.get('preload-data')).toContain('false');
    const invalid: string[] = [];
    let checked = 0;
    for (const file of await siteFiles(path.join(ROOT, 'web/src'))) {
      const text = await readFile(file, 'utf8');
      for (const [, name, value = ''] of text.matchAll(/data-sveltekit-([a-z-]+)(?:="([^"]*)")?/g)) {
        const values = valid.get(name!);
        if (!values) continue;
        checked++;
        if (!values.includes(value))
          invalid.push(`${path.relative(ROOT, file)}: data-sveltekit-${name}="${value}"`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(invalid).toEqual([]);
  });
});
