// What the local renderer writes on screen and when: the prompt (or a scene's text) as a
// title card followed by caption cards, each wrapped to the frame. Pure functions, so the
// layout is tested without ffmpeg. Widths are estimated from character classes rather
// than measured from the font: the estimate errs wide, so a line never runs off the frame.

/** The title is the first sentence, cut at a word near this length. */
export const TITLE_MAX_CHARS = 60;
export const TITLE_MAX_LINES = 3;
export const CAPTION_LINES_PER_CARD = 2;
/** A caption card stays up at least this long, or the text is cut short with an ellipsis. */
export const MIN_CARD_SECONDS = 1.25;
/** Fade (and slide) in and out of a card. */
export const FADE_SECONDS = 0.5;
/** How long the title holds at the centre before it moves up for the captions, as a share of the video. */
const TITLE_HOLD_SHARE = 0.3;
const TITLE_HOLD_MIN_SECONDS = 0.8;
const TITLE_HOLD_MAX_SECONDS = 2.5;
/** The title's move from the centre to the top. */
export const TITLE_MOVE_SECONDS = 0.6;
const ELLIPSIS = '…';

/** Advance widths in ems, by kind of character (DejaVu Sans Bold errs wide of these). */
const EM = { narrow: 0.36, normal: 0.66, wide: 0.92, full: 1.05 } as const;
const NARROW = /[\s.,:;'"!|iIjlft()[\]{}`´‘’“”-]/u;
const WIDE = /[MWmw@%&ÆŒæœ—]/u;
/** Scripts written in full-width cells, which may break between any two characters. */
const FULL_WIDTH =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;

export function charWidthEm(char: string): number {
  if (FULL_WIDTH.test(char)) return EM.full;
  if (NARROW.test(char)) return EM.narrow;
  if (WIDE.test(char) || /\p{Lu}/u.test(char)) return EM.wide;
  return EM.normal;
}

export function textWidthEm(text: string): number {
  let total = 0;
  for (const char of text) total += charWidthEm(char);
  return total;
}

/**
 * Text as drawtext may draw it: one line, no control characters (a newline, tab or bidi
 * control would otherwise be drawn as a box or reorder the line), single spaces.
 */
export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Splits text into pieces that may not be broken: words, or single full-width characters. */
function breakables(text: string): string[] {
  const pieces: string[] = [];
  for (const word of text.split(' ')) {
    let run = '';
    for (const char of word) {
      if (FULL_WIDTH.test(char)) {
        if (run) pieces.push(run);
        pieces.push(char);
        run = '';
      } else run += char;
    }
    if (run) pieces.push(run);
    pieces.push(' ');
  }
  pieces.pop();
  return pieces.filter((p, i, all) => !(p === ' ' && (i === 0 || all[i - 1] === ' ')));
}

/** Greedy wrap to `maxEm` per line; a piece wider than a line is cut by characters. */
export function wrapText(text: string, maxEm: number): string[] {
  const lines: string[] = [];
  let line = '';
  const push = () => {
    if (line.trim()) lines.push(line.trim());
    line = '';
  };
  for (const piece of breakables(cleanText(text))) {
    if (piece === ' ') {
      if (line) line += ' ';
      continue;
    }
    if (textWidthEm(line + piece) <= maxEm) {
      line += piece;
      continue;
    }
    push();
    if (textWidthEm(piece) <= maxEm) {
      line = piece;
      continue;
    }
    for (const char of piece) {
      if (textWidthEm(line + char) > maxEm) push();
      line += char;
    }
  }
  push();
  return lines;
}

/** The first sentence (or the first words of a long one) and what follows it. */
export function splitTitle(text: string): { title: string; rest: string } {
  const clean = cleanText(text);
  const sentence = /^(.+?(?:[.!?](?=\s|$)|[。！？]))/u.exec(clean)?.[1] ?? clean;
  if (sentence.length <= TITLE_MAX_CHARS) {
    return { title: sentence, rest: clean.slice(sentence.length).trim() };
  }
  const cut = clean.lastIndexOf(' ', TITLE_MAX_CHARS);
  // No space to cut at (a script without spaces): cut by characters.
  const at = cut > TITLE_MAX_CHARS / 2 ? cut : TITLE_MAX_CHARS;
  const chars = Array.from(clean);
  const title = cut > TITLE_MAX_CHARS / 2 ? clean.slice(0, at) : chars.slice(0, at).join('');
  return { title: title.trim(), rest: clean.slice(title.length).trim() };
}

export interface Card {
  kind: 'title' | 'caption';
  lines: string[];
  /** Seconds from the start. */
  start: number;
  end: number;
  /** The last card stays up to the end instead of fading out. */
  fadeOut: boolean;
  /** When a title leaves the centre for the top of the frame, making room for captions. */
  moveAt?: number;
}

export interface CardLayout {
  /** How many ems fit on one title line and one caption line at the chosen sizes. */
  titleEm: number;
  captionEm: number;
}

function withEllipsis(lines: string[], maxEm: number): string[] {
  const last = lines.at(-1) ?? '';
  let cut = Array.from(last);
  while (cut.length > 0 && textWidthEm(cut.join('') + ELLIPSIS) > maxEm) cut = cut.slice(0, -1);
  return [...lines.slice(0, -1), cut.join('').trimEnd() + ELLIPSIS];
}

/**
 * The cards for a text and a duration: a title card that stays for the whole video (and
 * moves up when captions follow), and caption cards of up to two lines that share the
 * time after it. Text that would make a card shorter than
 * MIN_CARD_SECONDS is cut, and the cut is shown with an ellipsis.
 */
export function planCards(text: string, durationSeconds: number, layout: CardLayout): Card[] {
  const { title, rest } = splitTitle(text);
  if (!title) return [];
  let titleLines = wrapText(title, layout.titleEm);
  if (titleLines.length > TITLE_MAX_LINES) {
    titleLines = withEllipsis(titleLines.slice(0, TITLE_MAX_LINES), layout.titleEm);
  }
  const captionLines = rest ? wrapText(rest, layout.captionEm) : [];
  if (captionLines.length === 0) {
    return [{ kind: 'title', lines: titleLines, start: 0, end: durationSeconds, fadeOut: false }];
  }
  const moveAt = Math.min(
    durationSeconds / 2,
    Math.max(TITLE_HOLD_MIN_SECONDS, Math.min(TITLE_HOLD_MAX_SECONDS, durationSeconds * TITLE_HOLD_SHARE)),
  );
  const captionStart = moveAt + TITLE_MOVE_SECONDS / 2;
  const room = durationSeconds - captionStart;
  const maxCards = Math.max(1, Math.floor(room / MIN_CARD_SECONDS));
  const groups: string[][] = [];
  for (let i = 0; i < captionLines.length; i += CAPTION_LINES_PER_CARD) {
    groups.push(captionLines.slice(i, i + CAPTION_LINES_PER_CARD));
  }
  const shown = groups.slice(0, maxCards);
  if (groups.length > maxCards) shown[shown.length - 1] = withEllipsis(shown.at(-1) ?? [], layout.captionEm);
  const slot = room / shown.length;
  return [
    { kind: 'title', lines: titleLines, start: 0, end: durationSeconds, fadeOut: false, moveAt },
    ...shown.map((lines, i) => ({
      kind: 'caption' as const,
      lines,
      start: captionStart + i * slot,
      end: i === shown.length - 1 ? durationSeconds : captionStart + (i + 1) * slot,
      fadeOut: i < shown.length - 1,
    })),
  ];
}
