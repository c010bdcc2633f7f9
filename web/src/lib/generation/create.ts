// The create form: what it sends, read the same way by the page (for the live quote) and by
// its actions (for a submission without JavaScript), and the price rule the page shows
// before the API's quote arrives.
import type {
  CreateJobInput,
  JobRequestInput,
  OfferedModel,
} from '../../../../domain/contracts/generation.ts';
import { REVISION_KINDS, type RevisionKind } from '../../../../domain/generation.ts';
import { INPUT_ROLES, type InputRole } from '../../../../domain/models.ts';

/** A revision kind from the address or a form, if it is one. */
export const revisionKindOf = (value: string | null | undefined): RevisionKind | null =>
  (REVISION_KINDS as readonly string[]).includes(value ?? '') ? (value as RevisionKind) : null;

/** The form's fields as typed (every value a string, as a form posts them). */
export interface CreateValues {
  modelId: string;
  prompt: string;
  negativePrompt: string;
  durationSeconds: string;
  aspectRatio: string;
  resolution: string;
  seed: string;
  fallbackAllowed: string;
  /** `assetId:role`, one per reference image, joined by spaces. */
  inputs: string;
  quoteId: string;
  parentJobId: string;
  revisionKind: string;
  idempotencyKey: string;
}

export const encodeInput = (input: { assetId: string; role: InputRole }) => `${input.assetId}:${input.role}`;

export function decodeInputs(values: string[]): { assetId: string; role: InputRole }[] {
  const out: { assetId: string; role: InputRole }[] = [];
  for (const value of values) {
    const [assetId, role] = value.split(':');
    if (assetId && role && (INPUT_ROLES as readonly string[]).includes(role)) {
      out.push({ assetId, role: role as InputRole });
    }
  }
  return out;
}

/** The API request for these values; numbers that are not numbers go through so the API names the field. */
export function requestFrom(values: CreateValues): JobRequestInput {
  const seed = values.seed.trim();
  const negative = values.negativePrompt.trim();
  return {
    modelId: values.modelId,
    prompt: values.prompt,
    ...(negative ? { negativePrompt: negative } : {}),
    durationSeconds: Number(values.durationSeconds),
    aspectRatio: values.aspectRatio,
    resolution: values.resolution,
    ...(seed ? { seed: Number(seed) } : {}),
    inputs: decodeInputs(values.inputs.split(/\s+/).filter(Boolean)),
    fallbackAllowed: values.fallbackAllowed === 'on' || values.fallbackAllowed === 'true',
  };
}

export function createBodyFrom(values: CreateValues): CreateJobInput {
  const kind = revisionKindOf(values.revisionKind);
  return {
    ...requestFrom(values),
    ...(values.quoteId ? { quoteId: values.quoteId } : {}),
    ...(values.parentJobId ? { parentJobId: values.parentJobId } : {}),
    ...(values.parentJobId && kind ? { revisionKind: kind } : {}),
  };
}

/** The catalog's price rule (domain/models.ts `quoteCredits`): whole credits per second, rounded up. */
export function estimateCredits(
  model: OfferedModel | undefined,
  durationSeconds: number,
  resolution: string,
) {
  const perSecond = model?.creditsPerSecond[resolution];
  if (perSecond === undefined || !Number.isFinite(durationSeconds)) return null;
  return Math.ceil(perSecond * durationSeconds);
}

/** "2–10 seconds", "5 or 10 seconds". */
export function durationRange(model: OfferedModel): string {
  const d = model.durations;
  if (d.length === 1) return `${d[0]} seconds`;
  if (d.length === 2) return `${d[0]} or ${d[1]} seconds`;
  return `${d[0]}–${d.at(-1)} seconds`;
}

/** "from 1 credit per second" (at the model's cheapest resolution). */
export function priceFrom(model: OfferedModel): string {
  const cheapest = Math.min(...Object.values(model.creditsPerSecond));
  return `from ${cheapest} credit${cheapest === 1 ? '' : 's'} per second`;
}

/** Field names the API uses (`inputs.0.assetId`, `inputs[1].role`) mapped to the form's. */
export function formFieldOf(apiField: string): string {
  if (apiField.startsWith('inputs')) return 'inputs';
  if (apiField === 'modelId') return 'modelId';
  return apiField;
}

/** Options for the three selects: the model's, or every model's while none is known. */
export function settingOptions(models: OfferedModel[], model: OfferedModel | undefined) {
  const source = model ? [model] : models;
  const unique = <T>(values: T[]) => [...new Set(values)];
  const durations = unique(source.flatMap((m) => m.durations)).sort((a, b) => a - b);
  const ratios = unique(source.flatMap((m) => m.aspectRatios));
  const resolutions = unique(source.flatMap((m) => m.resolutions));
  return {
    durations: durations.map((d) => ({ value: String(d), label: `${d} seconds` })),
    aspectRatios: ratios.map((r) => ({ value: r, label: ratioLabel(r) })),
    resolutions: resolutions.map((r) => {
      const perSecond = model?.creditsPerSecond[r];
      return {
        value: r,
        label: perSecond === undefined ? r : `${r} · ${perSecond} credit${perSecond === 1 ? '' : 's'}/s`,
      };
    }),
  };
}

const RATIO_NAMES: Record<string, string> = {
  '16:9': 'wide',
  '9:16': 'tall',
  '1:1': 'square',
  '4:3': 'classic',
  '3:4': 'portrait',
  '21:9': 'cinema',
};
export const ratioLabel = (ratio: string) =>
  RATIO_NAMES[ratio] ? `${ratio} (${RATIO_NAMES[ratio]})` : ratio;
