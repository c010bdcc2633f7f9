// A language model that splits a script into scenes, through any OpenAI-compatible
// chat-completions API (`POST {base}/chat/completions`) with structured output: the
// request carries a strict JSON schema (`response_format: { type: 'json_schema' }`), so
// the answer's `choices[0].message.content` is JSON of that shape, or the model says why
// it refused (`message.refusal`). The answer is still checked here: the scenes must be the
// script's own words, within the limits, at durations the model offers.
import { z } from 'zod';
import { LLM_REQUEST_TIMEOUT_MS, MAX_SCENES, MAX_SCENE_TEXT_LENGTH, snapDuration } from '../domain/script.ts';
import type { SceneDraft, ScriptFormat } from '../domain/script.ts';
import { createHttpClient } from './http.ts';
import { ProviderError } from './types.ts';

export interface ChatModelConfig {
  apiKey: string;
  /** e.g. https://api.openai.com/v1, or any server that speaks the same API. */
  baseUrl: string;
  model: string;
}

/** The JSON schema the answer must follow (strict: every field required, nothing else). */
export function scenesSchema(durations: readonly number[]) {
  return {
    type: 'object',
    properties: {
      scenes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            text: {
              type: 'string',
              description: 'The words of this scene, taken from the script as written.',
            },
            durationSeconds: {
              type: 'integer',
              enum: [...durations],
              description: 'How long the scene lasts on screen, in seconds.',
            },
          },
          required: ['text', 'durationSeconds'],
          additionalProperties: false,
        },
      },
    },
    required: ['scenes'],
    additionalProperties: false,
  } as const;
}

const INSTRUCTIONS = (durations: readonly number[]) =>
  [
    'You split a video script into scenes for a short video.',
    'Keep the script\u2019s own words, in order, without adding, summarising or translating anything.',
    'Each scene is one visual moment: usually one or two sentences, at most',
    `${MAX_SCENE_TEXT_LENGTH} characters; make at most ${MAX_SCENES} scenes.`,
    `Give each scene a duration in seconds from ${durations.join(', ')}, long enough to say its words aloud.`,
    'A SubRip (.srt) script: one scene per cue, timed like the cue; drop the numbers and timings from the text.',
  ].join(' ');

const completion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});
const answer = z.object({
  scenes: z.array(z.object({ text: z.string(), durationSeconds: z.number() })),
});

export async function splitWithChatModel(
  config: ChatModelConfig,
  input: { script: string; format: ScriptFormat; durations: readonly number[] },
  options: { fetch?: typeof fetch } = {},
): Promise<SceneDraft[]> {
  const http = createHttpClient({
    provider: 'Language model',
    baseUrl: config.baseUrl,
    headers: { Authorization: `Bearer ${config.apiKey}` },
    secrets: [config.apiKey],
    timeoutMs: LLM_REQUEST_TIMEOUT_MS,
    fetch: options.fetch,
  });
  const response = await http.request('POST', '/chat/completions', {
    // Nothing is created: asking again is safe.
    idempotent: true,
    body: {
      model: config.model,
      messages: [
        { role: 'system', content: INSTRUCTIONS(input.durations) },
        {
          role: 'user',
          content: `Script (${input.format === 'srt' ? 'SubRip' : 'plain text'}):\n\n${input.script}`,
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'script_scenes', strict: true, schema: scenesSchema(input.durations) },
      },
      temperature: 0,
    },
  });
  const parsed = completion.safeParse(response.body);
  if (!parsed.success) throw invalid('the answer is not a chat completion');
  const choice = parsed.data.choices[0]!;
  if (choice.message.refusal) {
    throw new ProviderError('moderation_input', `the language model refused: ${choice.message.refusal}`);
  }
  if (choice.finish_reason === 'length')
    throw invalid('the answer was cut off (the script is too long for it)');
  let json: unknown;
  try {
    json = JSON.parse(choice.message.content ?? '');
  } catch {
    throw invalid('the answer is not JSON');
  }
  const scenes = answer.safeParse(json);
  if (!scenes.success) throw invalid('the answer does not follow the schema');
  return checkScenes(scenes.data.scenes, input.durations);
}

function invalid(why: string): ProviderError {
  return new ProviderError('internal', `Language model: ${why}`, { retryable: false });
}

/** The scenes as the platform takes them: trimmed, non-empty, within limits, offered durations. */
function checkScenes(scenes: { text: string; durationSeconds: number }[], durations: readonly number[]) {
  const kept = scenes
    .map((s) => ({ text: s.text.replace(/\s+/g, ' ').trim(), durationSeconds: s.durationSeconds }))
    .filter((s) => s.text.length > 0);
  if (kept.length === 0) throw invalid('no scenes');
  if (kept.length > MAX_SCENES) throw invalid(`${kept.length} scenes, more than ${MAX_SCENES}`);
  if (kept.some((s) => s.text.length > MAX_SCENE_TEXT_LENGTH)) throw invalid('a scene is too long');
  return kept.map((s) => ({ text: s.text, durationSeconds: snapDuration(s.durationSeconds, durations) }));
}
