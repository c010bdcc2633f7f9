// The request fields each provider's official SDK types declare, so the simulator refuses
// a field no SDK sends (a misspelling, or something of ours that should never leave us).
// Read from the SDKs' sources at the commits named; Evolink has no SDK, its list is its
// API reference's. A shape is `true` (any value), an object of allowed keys, or a
// one-item array giving the shape of every element; a value of another kind than its
// shape (a string where objects may also go) is accepted: types are not the point here.

export type FieldShape = true | { readonly [key: string]: FieldShape } | readonly [FieldShape];

const KEYFRAME = { type: true, url: true, id: true } as const;

/**
 * runwayml/sdk-node@ecb7e33 src/resources/image-to-video.ts and text-to-video.ts: the
 * params of the models in our catalog (gen4_turbo, gen4.5), merged per endpoint.
 */
export const RUNWAY_IMAGE_TO_VIDEO: FieldShape = {
  model: true,
  promptImage: [{ uri: true, position: true }],
  promptText: true,
  ratio: true,
  duration: true,
  seed: true,
  contentModeration: { publicFigureThreshold: true },
};
export const RUNWAY_TEXT_TO_VIDEO: FieldShape = {
  model: true,
  promptText: true,
  ratio: true,
  duration: true,
  seed: true,
  contentModeration: { publicFigureThreshold: true },
};

/** lumalabs/lumaai-node@be2c3c4 src/resources/generations/video.ts VideoCreateParams. */
export const LUMA_VIDEO: FieldShape = {
  model: true,
  aspect_ratio: true,
  callback_url: true,
  concepts: [{ key: true }],
  duration: true,
  generation_type: true,
  keyframes: { frame0: KEYFRAME, frame1: KEYFRAME },
  loop: true,
  prompt: true,
  resolution: true,
};

/** fal-ai/fal-js@381105e libs/client/src/types/endpoints.ts PikaV22TextToVideoInput / ImageToVideoInput. */
export const FAL_PIKA_V22: Readonly<Record<string, FieldShape>> = {
  'text-to-video': {
    aspect_ratio: true,
    duration: true,
    negative_prompt: true,
    prompt: true,
    resolution: true,
    seed: true,
  },
  'image-to-video': {
    duration: true,
    image_url: true,
    negative_prompt: true,
    prompt: true,
    resolution: true,
    seed: true,
  },
};

/**
 * volcengine/volcengine-python-sdk@b5be43b volcenginesdkarkruntime/resources/
 * content_generation/tasks.py `Tasks.create` and types/content_generation/
 * create_task_content_param.py (content items of every type, merged).
 */
export const ARK_CREATE_TASK: FieldShape = {
  model: true,
  content: [
    {
      type: true,
      text: true,
      image_url: { url: true },
      audio_url: { url: true },
      video_url: { url: true },
      draft_task: { id: true },
      role: true,
    },
  ],
  safety_identifier: true,
  callback_url: true,
  return_last_frame: true,
  service_tier: true,
  execution_expires_after: true,
  priority: true,
  generate_audio: true,
  draft: true,
  camera_fixed: true,
  watermark: true,
  seed: true,
  resolution: true,
  ratio: true,
  duration: true,
  frames: true,
  tools: [{ type: true }],
};

/** docs.evolink.ai api-manual/video-series/veo3.1 (POST /v1/videos/generations body). */
export const EVOLINK_VEO: FieldShape = {
  model: true,
  prompt: true,
  image_urls: true,
  generation_type: true,
  aspect_ratio: true,
  generate_audio: true,
  duration: true,
  n: true,
  quality: true,
  seed: true,
  negative_prompt: true,
  person_generation: true,
  resize_mode: true,
  callback_url: true,
};

/** Paths (`content[1].image_url.uri`) of every field the shape does not allow. */
export function unknownFields(value: unknown, shape: FieldShape, path = ''): string[] {
  if (shape === true || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    if (!Array.isArray(shape)) return [];
    const item = (shape as readonly [FieldShape])[0];
    return value.flatMap((v, i) => unknownFields(v, item, `${path}[${i}]`));
  }
  if (Array.isArray(shape)) return [];
  const allowed = shape as { readonly [key: string]: FieldShape };
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const where = path ? `${path}.${key}` : key;
    const inner = allowed[key];
    return inner === undefined ? [where] : unknownFields(v, inner, where);
  });
}
