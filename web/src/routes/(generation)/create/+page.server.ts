// The create page: the offered models, the creator's balance and defaults, and (for a
// revision) the earlier job to start from. Its actions work without JavaScript: `quote`
// shows the price, `create` makes the job with the Idempotency-Key the page was rendered
// with, so submitting twice (or retrying after a lost answer) never makes two jobs.
import { randomUUID } from 'node:crypto';
import { redirect } from '@sveltejs/kit';
import {
  createBodyFrom,
  formFieldOf,
  requestFrom,
  revisionKindOf,
  type CreateValues,
} from '#lib/generation/create.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, raw, texts } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f-]{36}$/i;

export const load: PageServerLoad = async (event) => {
  const me = await requireUser(event);
  const api = serverApi(event);
  const params = event.url.searchParams;
  const parentId = params.get('parentJobId') ?? '';
  const [models, credits, parent] = await Promise.all([
    api.generation.models(),
    api.billing.credits({ limit: 1 }),
    UUID.test(parentId) ? api.generation.job(parentId) : Promise.resolve(null),
  ]);
  return {
    me,
    models: models.ok ? models.data.models : [],
    modelsError: models.ok
      ? undefined
      : 'We could not load the models just now. Reload the page to try again.',
    balance: credits.ok ? credits.data.balance : null,
    parent: parent?.ok ? parent.data : null,
    revisionKind: parent?.ok ? revisionKindOf(params.get('revisionKind')) : null,
    /** One key per rendered form: the same submission retried is the same job. */
    idempotencyKey: randomUUID(),
  };
};

function valuesOf(form: FormData): CreateValues {
  const fields = texts(form, [
    'modelId',
    'durationSeconds',
    'aspectRatio',
    'resolution',
    'seed',
    'fallbackAllowed',
    'quoteId',
    'parentJobId',
    'revisionKind',
    'idempotencyKey',
  ]);
  return {
    ...fields,
    // The prompts as typed: their spaces are the creator's.
    prompt: raw(form, 'prompt'),
    negativePrompt: raw(form, 'negativePrompt'),
    inputs: form
      .getAll('input')
      .filter((v): v is string => typeof v === 'string')
      .join(' '),
    idempotencyKey: fields.idempotencyKey || randomUUID(),
  };
}

function checkLocally(values: CreateValues): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!values.modelId) fields.modelId = 'Choose a model.';
  if (values.seed && !/^\d+$/.test(values.seed)) fields.seed = 'A seed is a whole number, or leave it empty.';
  return fields;
}

/** The API's field names (`inputs.0.assetId`) as the form's, for the fields to show their problem. */
const aliases = (fields: Record<string, string>) =>
  Object.fromEntries(Object.keys(fields).map((f) => [f, formFieldOf(f)]));

export const actions: Actions = {
  /** The price, for a visitor without JavaScript (the page quotes live otherwise). */
  quote: formAction(async ({ form, api, csrf }) => {
    const values = valuesOf(form);
    const local = checkLocally(values);
    if (Object.keys(local).length) return invalid(local, { ...values }, { form: 'create' });
    const result = await api.generation.quote(requestFrom(values), csrf);
    if (!result.ok) {
      return failure(
        result.problem,
        { ...values },
        { form: 'create', fieldAliases: aliases(result.problem.fields) },
      );
    }
    return { form: 'quote', quote: result.data, values: { ...values, quoteId: result.data.quoteId } };
  }),

  create: formAction(async ({ form, api, csrf }) => {
    const values = valuesOf(form);
    const local = checkLocally(values);
    if (Object.keys(local).length) return invalid(local, { ...values }, { form: 'create' });
    let result = await api.generation.createJob(createBodyFrom(values), values.idempotencyKey, csrf);
    if (!result.ok && result.problem.code === 'quote_expired') {
      // The price was only held for a while: ask again at today's price, same key.
      values.quoteId = '';
      result = await api.generation.createJob(createBodyFrom(values), values.idempotencyKey, csrf);
    }
    if (result.ok) redirect(303, `/jobs/${result.data.id}?created=1`);
    const { problem } = result;
    if (problem.code === 'idempotency_key_reused') {
      // An earlier attempt from this form made a job with other settings; a new key makes this one.
      return invalid(
        {},
        { ...values, idempotencyKey: randomUUID() },
        {
          form: 'create',
          message:
            'You already started a video from this form with other settings (see your jobs). Submit again to start this one too.',
        },
      );
    }
    return failure(problem, { ...values }, { form: 'create', fieldAliases: aliases(problem.fields) });
  }),
};
