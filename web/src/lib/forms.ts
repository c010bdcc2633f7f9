// What a form action answers, shared by the actions (#lib/server/forms.ts) and the pages,
// and the failure a form shares with the controls inside it (#lib/components/ActionForm.svelte).
import { getContext, setContext } from 'svelte';

/** A failed submission: shown at the top of the form and next to each field. */
export interface FormFailure {
  /** Which form on the page, when a page has several. */
  form?: string;
  code: string;
  message: string;
  fields: Record<string, string>;
  /** What the user typed, to put back (never passwords). */
  values: Record<string, string>;
}

/** Narrows an action's answer to the failure of one form (or of the page's only form). */
export function failureOf(result: unknown, form?: string): FormFailure | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as Partial<FormFailure>;
  if (typeof r.message !== 'string' || typeof r.code !== 'string' || !r.fields) return undefined;
  if (form !== undefined && r.form !== form) return undefined;
  return r as FormFailure;
}

/** A success message an action answered with (`{ form, saved }`), for one form or the page's only one. */
export function savedOf(result: unknown, form?: string): string | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as { form?: unknown; saved?: unknown };
  if (typeof r.saved !== 'string') return undefined;
  if (form !== undefined && r.form !== form) return undefined;
  return r.saved;
}

const FAILURE = Symbol('form failure');

/** Lets the controls inside a form show its failure next to themselves (called by the form). */
export const shareFailure = (read: () => FormFailure | undefined): void => {
  setContext(FAILURE, read);
};

/** The failure of the form this control sits in, if any (read at the control's start). */
export const sharedFailure = (): (() => FormFailure | undefined) =>
  getContext<(() => FormFailure | undefined) | undefined>(FAILURE) ?? (() => undefined);

/**
 * What a control starts with: what was typed into it before a failed submission (never a
 * password: the action leaves those out), else its own value. Called as the control starts.
 */
export function typedBack<T extends string | null | undefined>(name: string, value: T): string | T {
  return sharedFailure()()?.values[name] ?? value;
}

/**
 * A named action's URL that keeps the page's own query (an emailed token, `next`), so the
 * page rendered after the action, and the action itself, still see them.
 */
export function actionUrl(name: string, search: { toString(): string }): string {
  const rest = new URLSearchParams(search.toString());
  for (const key of [...rest.keys()]) if (key.startsWith('/')) rest.delete(key);
  const query = rest.toString();
  return `?/${name}${query ? `&${query}` : ''}`;
}
