// The local renderer's filter graph: a moving gradient (or the reference image, slowly
// panned and zoomed), with the text's title and caption cards drawn on top, fading and
// sliding in. Sizes follow the frame's short side, so 480p and 1080p read alike.
import { FADE_SECONDS, TITLE_MOVE_SECONDS, planCards } from './captions.ts';
import type { Card } from './captions.ts';
import { filter, num, option } from './filtergraph.ts';
import { gradientSource } from './looks.ts';
import type { Look } from './looks.ts';

/** Font sizes as shares of the frame: the smaller of the width- and height-based ones wins. */
const TITLE_SIZE = { ofWidth: 0.07, ofHeight: 0.085 } as const;
const CAPTION_SIZE = { ofWidth: 0.045, ofHeight: 0.05 } as const;
/** Text stays inside this share of the frame's width. */
const TEXT_WIDTH_SHARE = 0.84;
const LINE_HEIGHT = 1.3;
/** Caption cards sit above this share of the frame's height. */
const CAPTION_BOTTOM = 0.9;
/**
 * Where a title rests when captions need the frame (and always over a reference image,
 * leaving the picture's centre clear), as a share of the frame's height.
 */
const TITLE_TOP = 0.1;
/** Cards slide in from this many font sizes below where they rest. */
const SLIDE_IN = 0.6;
const SHADOW = 0.05;
const CAPTION_BOX = { color: 'black@0.45', padding: 0.3 } as const;
/** A reference image is scaled to this multiple of the frame before zoompan, which then moves in sub-pixel steps. */
const IMAGE_OVERSAMPLE = 2;

export interface SceneInput {
  text: string;
  look: Look;
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** Input index of a still image to show under the text, if any. */
  imageInput?: number;
}

export interface TextSizes {
  title: number;
  caption: number;
  maxWidth: number;
}

export function textSizes(width: number, height: number): TextSizes {
  const size = (share: { ofWidth: number; ofHeight: number }) =>
    Math.max(12, Math.round(Math.min(width * share.ofWidth, height * share.ofHeight)));
  return { title: size(TITLE_SIZE), caption: size(CAPTION_SIZE), maxWidth: width * TEXT_WIDTH_SHARE };
}

/** The cards for a scene, laid out for its frame. */
export function cardsFor(input: Pick<SceneInput, 'text' | 'width' | 'height' | 'fps' | 'frames'>): Card[] {
  const sizes = textSizes(input.width, input.height);
  return planCards(input.text, input.frames / input.fps, {
    titleEm: sizes.maxWidth / sizes.title,
    captionEm: sizes.maxWidth / sizes.caption,
  });
}

/** 0 before a card, 1 while it shows, with linear fades at both ends. */
function alphaExpression(card: Card): string {
  const fadeIn = `clip((t-${num(card.start)})/${FADE_SECONDS},0,1)`;
  return card.fadeOut ? `${fadeIn}*clip((${num(card.end)}-t)/${FADE_SECONDS},0,1)` : fadeIn;
}

/**
 * Eases up into place from below while fading in; a title that makes room for captions
 * then glides from `restY` to `topY` (smoothstep).
 */
function yExpression(card: Card, restY: number, fontSize: number, topY?: number): string {
  const progress = `clip((t-${num(card.start)})/${FADE_SECONDS},0,1)`;
  const slideIn = `${num(SLIDE_IN * fontSize)}*pow(1-${progress},2)`;
  if (card.moveAt === undefined || topY === undefined) return `${num(restY)}+${slideIn}`;
  const move = `clip((t-${num(card.moveAt)})/${TITLE_MOVE_SECONDS},0,1)`;
  return `${num(restY)}+${num(topY - restY)}*${move}*${move}*(3-2*${move})+${slideIn}`;
}

function drawCard(card: Card, input: SceneInput, sizes: TextSizes): string[] {
  const title = card.kind === 'title';
  const fontSize = title ? sizes.title : sizes.caption;
  const lineHeight = fontSize * LINE_HEIGHT;
  const block = card.lines.length * lineHeight;
  const upper = input.height * TITLE_TOP;
  const overImage = input.imageInput !== undefined;
  const top = title
    ? overImage
      ? upper
      : (input.height - block) / 2
    : input.height * CAPTION_BOTTOM - block;
  // Over an image the title is already up out of the way; over a gradient it moves there.
  const topY = title && !overImage ? upper : undefined;
  const shadow = Math.max(1, Math.round(fontSize * SHADOW));
  return card.lines.map((line, i) =>
    filter('drawtext', [
      option('fontfile', input.look.fontFile),
      'expansion=none',
      option('text', line),
      option('fontsize', fontSize),
      'fontcolor=white',
      option('x', '(w-text_w)/2'),
      option(
        'y',
        yExpression(
          card,
          top + i * lineHeight,
          fontSize,
          topY === undefined ? undefined : topY + i * lineHeight,
        ),
      ),
      option('alpha', alphaExpression(card)),
      option('enable', `between(t,${num(card.start)},${num(card.end)})`),
      `shadowx=${shadow}`,
      `shadowy=${shadow}`,
      'shadowcolor=black@0.6',
      ...(title
        ? []
        : [
            'box=1',
            `boxcolor=${CAPTION_BOX.color}`,
            `boxborderw=${Math.round(fontSize * CAPTION_BOX.padding)}`,
          ]),
    ]),
  );
}

/** A still image cover-cropped to the frame, then slowly zoomed and panned across it. */
function imageBackground(input: SceneInput & { imageInput: number }): string {
  const { look, width, height, fps, frames } = input;
  const w = width * IMAGE_OVERSAMPLE;
  const h = height * IMAGE_OVERSAMPLE;
  const last = Math.max(1, frames - 1);
  const along = (from: number, to: number) => `(${num(from)}+${num(to - from)}*on/${last})`;
  return (
    `[${input.imageInput}:v]` +
    [
      filter('scale', [option('w', w), option('h', h), 'force_original_aspect_ratio=increase']),
      filter('crop', [option('w', w), option('h', h)]),
      'setsar=1',
      filter('zoompan', [
        option('z', `1+${num(look.zoom)}*on/${last}`),
        option('x', `(iw-iw/zoom)*${along(look.pan.from[0], look.pan.to[0])}`),
        option('y', `(ih-ih/zoom)*${along(look.pan.from[1], look.pan.to[1])}`),
        option('d', frames),
        option('s', `${width}x${height}`),
        option('fps', fps),
      ]),
    ].join(',')
  );
}

/** The whole graph, ending in the `[out]` pad the encoder maps. */
export function sceneGraph(input: SceneInput): string {
  const sizes = textSizes(input.width, input.height);
  const background =
    input.imageInput !== undefined
      ? imageBackground({ ...input, imageInput: input.imageInput })
      : gradientSource(input.look, input.width, input.height, input.fps);
  const text = cardsFor(input).flatMap((card) => drawCard(card, input, sizes));
  return [background, ...text, 'setsar=1', 'format=yuv420p'].join(',') + '[out]';
}
