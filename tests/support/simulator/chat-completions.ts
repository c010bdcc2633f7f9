// A stand-in for an OpenAI-compatible chat-completions API on loopback (POST
// /v1/chat/completions, Bearer key), speaking the shape of the official openai-node SDK
// types: it refuses request fields the SDK's ChatCompletionCreateParams does not have,
// checks a structured-output request (`response_format: { type: 'json_schema',
// json_schema: { name, schema, strict } }`), and answers a `chat.completion` whose
// `choices[0].message.content` follows the schema it was given: one scene per sentence of
// the script, at the shortest duration the schema's enum allows that fits its words.
// It can also refuse (`message.refusal`), answer garbage, or fail with a status.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChatMode = 'split' | 'refuse' | 'not-json' | { status: number };

export interface ChatSimulator {
  /** Base URL as LLM_BASE_URL takes it (…/v1). */
  url: string;
  requests: Record<string, unknown>[];
  setMode(mode: ChatMode): void;
  stop(): Promise<void>;
}

/** Top-level fields of ChatCompletionCreateParams (openai-node src/resources/chat/completions). */
const REQUEST_FIELDS = new Set([
  'messages',
  'model',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
]);

const SENTENCE = /[^.!?]+[.!?]*/g;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** What a request is missing or has too much of, or null when it is well formed. */
function problemOf(body: Record<string, unknown>): string | null {
  const unknown = Object.keys(body).filter((k) => !REQUEST_FIELDS.has(k));
  if (unknown.length) return `Unrecognized request argument supplied: ${unknown.join(', ')}`;
  if (typeof body.model !== 'string') return 'you must provide a model parameter';
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return "'messages' must be a non-empty array";
  const format = body.response_format as { type?: string; json_schema?: Record<string, unknown> } | undefined;
  if (format?.type !== 'json_schema') return "response_format.type must be 'json_schema' here";
  const schema = format.json_schema;
  if (!schema || typeof schema.name !== 'string' || typeof schema.schema !== 'object') {
    return 'response_format.json_schema needs a name and a schema';
  }
  if (
    schema.strict === true &&
    (schema.schema as { additionalProperties?: unknown }).additionalProperties !== false
  ) {
    return "Invalid schema: 'additionalProperties' is required to be supplied and to be false";
  }
  return null;
}

function completion(content: string | null, refusal: string | null) {
  return {
    id: `chatcmpl-sim-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'gpt-4o-mini-sim',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function scenesFor(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string }[];
  const script = (messages.at(-1)?.content ?? '').split('\n\n').slice(1).join('\n\n');
  const format = body.response_format as {
    json_schema: {
      schema: { properties: { scenes: { items: { properties: { durationSeconds: { enum: number[] } } } } } };
    };
  };
  const durations = [
    ...format.json_schema.schema.properties.scenes.items.properties.durationSeconds.enum,
  ].sort((a, b) => a - b);
  const scenes = (script.replace(/\s+/g, ' ').match(SENTENCE) ?? [])
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const seconds = Math.ceil(text.split(' ').length / 2.5);
      return { text, durationSeconds: durations.find((d) => d >= seconds) ?? durations.at(-1)! };
    });
  return JSON.stringify({ scenes });
}

export async function startChatSimulator(apiKey: string): Promise<ChatSimulator> {
  let mode: ChatMode = 'split';
  const requests: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return send(404, { error: { message: 'Not found', type: 'invalid_request_error' } });
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      }
      const body = (await readJson(req)) as Record<string, unknown>;
      requests.push(body);
      const problem = problemOf(body);
      if (problem) return send(400, { error: { message: problem, type: 'invalid_request_error' } });
      if (typeof mode === 'object') return send(mode.status, { error: { message: 'simulated failure' } });
      if (mode === 'refuse') return send(200, completion(null, "I'm sorry, I can't help with that."));
      if (mode === 'not-json') return send(200, completion('Here are your scenes!', null));
      send(200, completion(scenesFor(body), null));
    })().catch((err: unknown) => send(500, { error: { message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setMode: (next) => (mode = next),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
