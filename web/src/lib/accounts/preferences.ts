// Default generation settings: what the preferences form offers and accepts, read from the
// model catalog (domain/models.ts) so a default is always something the model can do.
import { MODELS, findModel } from '../../../../domain/models.ts';
import type { GenerationDefaults } from './types.ts';

export const LANGUAGE_OPTIONS = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch' },
  { value: 'fr', label: 'Français' },
  { value: 'es', label: 'Español' },
  { value: 'ja', label: '日本語' },
  { value: 'zh', label: '中文' },
] as const;

export const THEME_OPTIONS = [
  { value: 'system', label: 'Same as my device' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
] as const;

export const MODEL_OPTIONS = [
  { value: '', label: 'No default (choose each time)' },
  ...MODELS.map((m) => ({ value: m.id, label: m.label })),
];

const unique = <T>(values: T[]) => [...new Set(values)];

/** Choices for one model, or for every model while none is picked (the page without JavaScript). */
export function choicesFor(modelId: string) {
  const models = findModel(modelId) ? [findModel(modelId)!] : [...MODELS];
  const durations = unique(models.flatMap((m) => [...m.durations])).sort((a, b) => a - b);
  const aspectRatios = unique(models.flatMap((m) => [...m.aspectRatios]));
  const resolutions = unique(models.flatMap((m) => [...m.resolutions]));
  return {
    durations: durations.map((d) => ({ value: String(d), label: `${d} seconds` })),
    aspectRatios: aspectRatios.map((a) => ({ value: a, label: a })),
    resolutions: resolutions.map((r) => ({ value: r, label: r })),
  };
}

/** Checks a submitted set of defaults against the catalog; empty model clears the defaults. */
export function parseGenerationDefaults(input: {
  model: string;
  durationSeconds: string;
  aspectRatio: string;
  resolution: string;
}): { ok: true; value: GenerationDefaults } | { ok: false; fields: Record<string, string> } {
  if (!input.model) return { ok: true, value: {} };
  const model = findModel(input.model);
  if (!model) return { ok: false, fields: { model: 'Choose one of the models in the list.' } };
  const fields: Record<string, string> = {};
  const duration = Number(input.durationSeconds);
  if (!model.durations.includes(duration)) {
    fields.durationSeconds = `${model.label} makes videos of ${model.durations.join(', ')} seconds.`;
  }
  if (!model.aspectRatios.includes(input.aspectRatio)) {
    fields.aspectRatio = `${model.label} supports ${model.aspectRatios.join(', ')}.`;
  }
  if (!(model.resolutions as readonly string[]).includes(input.resolution)) {
    fields.resolution = `${model.label} supports ${model.resolutions.join(', ')}.`;
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return {
    ok: true,
    value: {
      model: model.id,
      durationSeconds: duration,
      aspectRatio: input.aspectRatio,
      resolution: input.resolution,
    },
  };
}
