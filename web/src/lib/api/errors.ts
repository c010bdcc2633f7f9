// What went wrong, in words a creator understands. The API answers errors as
// `{ error: { code, message, fields?: [{ field, message }], requestId } }`; its messages are
// written for people, but a few codes (validation, CSRF, rate limits, server faults) need
// words about what to do next, and nothing technical ever reaches the page.

export interface ApiProblem {
  /** HTTP status, or 0 when the API could not be reached at all. */
  status: number;
  code: string;
  /** The API's own message; shown only through `friendlyMessage`. */
  message: string;
  /** Field name (dotted path for nested ones) -> what is wrong with it. */
  fields: Record<string, string>;
  requestId?: string;
  /** From `Retry-After`, when the API asks us to wait. */
  retryAfterSeconds?: number;
}

export const UNREACHABLE: ApiProblem = {
  status: 0,
  code: 'unreachable',
  message: 'The API did not answer.',
  fields: {},
};

function waitWords(seconds: number | undefined): string {
  if (!seconds || seconds <= 0) return 'a little while';
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** Codes whose API message is fine for people as it is. */
const PLAIN_CODES = new Set([
  'invalid_credentials',
  'age_requirement',
  'invalid_token',
  'not_pending',
  'email_unavailable',
  'invalid_code',
  'mfa_enabled',
  'mfa_not_enabled',
  'mfa_not_set_up',
  'mfa_required',
  'parental_consent_required',
  'account_inactive',
  'email_unverified',
  'google_expired',
  'google_email_in_use',
]);

/** One sentence for the top of a form (or a page) about a failed call. */
export function friendlyMessage(problem: ApiProblem): string {
  switch (problem.code) {
    case 'unreachable':
      return "We can't reach Clipwise right now. Check your connection and try again in a moment.";
    case 'invalid_request':
      return Object.keys(problem.fields).length
        ? 'Please check the highlighted fields.'
        : 'Something in the form was not right. Please check it and try again.';
    case 'csrf_failed':
      return 'This page was open for a while, so we refreshed it. Please try again.';
    case 'rate_limited':
      return `Too many attempts. Please wait ${waitWords(problem.retryAfterSeconds)} and try again.`;
    case 'sign_in_locked':
      return `Too many failed attempts, so sign-in is paused for ${waitWords(problem.retryAfterSeconds)}. You can reset your password instead.`;
    case 'unauthenticated':
      return 'Please sign in to continue.';
    case 'forbidden':
      return "Your account doesn't have access to this.";
    case 'not_found':
      return "We couldn't find what you were looking for.";
    case 'payload_too_large':
      return 'That is too much to send at once. Please shorten it and try again.';
  }
  if (PLAIN_CODES.has(problem.code) && problem.message) return problem.message;
  if (problem.status >= 500 || problem.status === 0) {
    return `Something went wrong on our side. Please try again in a moment.${
      problem.requestId ? ` (Reference: ${problem.requestId})` : ''
    }`;
  }
  // Other 4xx answers carry messages written for people; keep them short and plain.
  return problem.message && problem.message.length <= 200 && !/[{}<>]|\bat \w+ \(/.test(problem.message)
    ? problem.message
    : 'That did not work. Please try again.';
}

/** Words for a field when the API's validation message is a schema library's default. */
const FIELD_FALLBACKS: Record<string, string> = {
  name: 'Enter your name.',
  email: 'Enter a valid email address.',
  password: 'Enter your password.',
  currentPassword: 'Enter your current password.',
  newPassword: 'Choose a new password.',
  dateOfBirth: 'Enter your date of birth.',
  parentEmail: "Enter your parent or guardian's email address.",
  acceptPolicyVersion: 'Please accept the current privacy policy to continue.',
  code: 'Enter the 6-digit code from your authenticator app.',
  recoveryCode: 'Enter one of your recovery codes.',
  token: 'This link is incomplete. Open it again from the email.',
};

const GENERIC_SCHEMA_MESSAGE = /^(Too (small|big)|Invalid (input|option|string|type)|Expected |Required$)/i;

/** Field problems, with schema-library wording replaced by plain words. */
export function fieldMessages(problem: ApiProblem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(problem.fields)) {
    const leaf = field.split('.').at(-1) ?? field;
    out[field] = GENERIC_SCHEMA_MESSAGE.test(message)
      ? (FIELD_FALLBACKS[field] ?? FIELD_FALLBACKS[leaf] ?? 'Please check this field.')
      : message;
  }
  return out;
}

/** Reads an API error answer; anything that is not the documented shape becomes a generic problem. */
export async function problemFrom(res: Response): Promise<ApiProblem> {
  const retry = Number(res.headers.get('retry-after'));
  const base: ApiProblem = {
    status: res.status,
    code: res.status >= 500 ? 'internal' : 'unknown',
    message: '',
    fields: {},
    retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : undefined,
  };
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return base;
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (!error || typeof error !== 'object') return base;
  const e = error as { code?: unknown; message?: unknown; fields?: unknown; requestId?: unknown };
  const fields: Record<string, string> = {};
  if (Array.isArray(e.fields)) {
    for (const f of e.fields as { field?: unknown; message?: unknown }[]) {
      // The first problem per field is the one to show.
      if (typeof f?.field === 'string' && typeof f.message === 'string' && !(f.field in fields)) {
        fields[f.field] = f.message;
      }
    }
  }
  return {
    ...base,
    code: typeof e.code === 'string' ? e.code : base.code,
    message: typeof e.message === 'string' ? e.message : '',
    fields,
    requestId: typeof e.requestId === 'string' ? e.requestId : undefined,
  };
}
