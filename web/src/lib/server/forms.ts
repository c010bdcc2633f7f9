// Helpers for form actions: read the form and call the API with its CSRF token, read
// fields, turn an API problem into a form failure the page shows next to the fields, and
// pick a safe place to go next.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { User } from '../accounts/types.ts';
import type { ApiClient } from '../api/client.ts';
import { fieldMessages, friendlyMessage, type ApiProblem } from '../api/errors.ts';
import type { FormFailure } from '../forms.ts';
import { serverApi } from './api.ts';

/** What an action works with: its request, the posted form, the API and the form's CSRF token. */
export interface ActionContext<E extends RequestEvent = RequestEvent> {
  event: E;
  form: FormData;
  api: ApiClient;
  csrf: string;
}

/**
 * A form action: every one reads the posted form and calls the API for this browser with
 * the token the form carried. Annotate the context (`ActionContext<RequestEvent>` from
 * ./$types) where the route's parameters are needed.
 */
export function formAction<E extends RequestEvent, R>(
  run: (context: ActionContext<E>) => Promise<R>,
): (event: E) => Promise<R> {
  return async (event) => {
    const form = await event.request.formData();
    return run({ event, form, api: serverApi(event), csrf: csrfOf(form) });
  };
}

/** The CSRF token the form carried (hidden field `csrf`). */
export const csrfOf = (form: FormData): string => {
  const value = form.get('csrf');
  return typeof value === 'string' ? value : '';
};

/** A text field, trimmed. */
export const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/** Several text fields at once, trimmed, by name. */
export function texts<K extends string>(form: FormData, names: readonly K[]): Record<K, string> {
  return Object.fromEntries(names.map((name) => [name, text(form, name)])) as Record<K, string>;
}

/** A field exactly as typed (passwords: spaces count). */
export const raw = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/**
 * A failed action: a message for the top of the form, one per field, and the values to put
 * back (never passwords). `form` names the form on pages that have several.
 */
export function failure(
  problem: ApiProblem,
  values: Record<string, string> = {},
  options: {
    form?: string;
    /** API field name -> the form's field name. */
    fieldAliases?: Record<string, string>;
    /** Error codes that are about one field (e.g. `invalid_code` -> `code`), shown next to it. */
    codeFields?: Record<string, string>;
  } = {},
) {
  const fields: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldMessages(problem))) {
    fields[options.fieldAliases?.[field] ?? field] = message;
  }
  const concerned = options.codeFields?.[problem.code];
  if (concerned && !fields[concerned]) fields[concerned] = friendlyMessage(problem);
  const status = problem.status >= 400 && problem.status <= 599 ? problem.status : 503;
  const data: FormFailure = {
    form: options.form,
    code: problem.code,
    message: friendlyMessage(problem),
    fields,
    values,
  };
  return fail(status, data);
}

/** A failure found by the site itself before calling the API. */
export function invalid(
  fields: Record<string, string>,
  values: Record<string, string> = {},
  options: { form?: string; message?: string } = {},
) {
  const data: FormFailure = {
    form: options.form,
    code: 'invalid_request',
    message: options.message ?? 'Please check the highlighted fields.',
    fields,
    values,
  };
  return fail(400, data);
}

/**
 * Only a path on this site: one leading slash, then plain URL characters (no backslashes,
 * spaces or control characters, which browsers may turn into `//other.site`), never the API.
 */
const SAFE_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
export function safeNext(value: string | null | undefined): string | undefined {
  if (!value || value.length > 300 || !SAFE_PATH.test(value) || value.startsWith('/api/')) return undefined;
  return value;
}

/** Where a user goes once signed in: a parent's consent first, then the two-factor code, then `next`. */
export function afterSignIn(user: User, next: string | undefined, home: string): string {
  if (user.status === 'awaiting_parental_consent') return '/waiting';
  if (user.mfaEnabled && !user.mfaVerified) {
    return next ? `/mfa?next=${encodeURIComponent(next)}` : '/mfa';
  }
  return next ?? home;
}

/** Sends a signed-out visitor to sign in, back here afterwards. */
export function toSignIn(url: URL): never {
  redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
}
