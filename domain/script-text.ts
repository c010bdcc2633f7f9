// A script's text: an uploaded file read from its own bytes (UTF-8 text, or SubRip
// subtitles), the built-in splitter that turns it into scenes (deterministic: the same
// script always gives the same scenes), and the WebVTT subtitles of a composition. Pure.
import {
  MAX_SCENES,
  MAX_SCENE_TEXT_LENGTH,
  MAX_SCRIPT_LENGTH,
  TARGET_SCENE_WORDS,
  sceneTimeline,
  snapDuration,
  speakingSeconds,
  type SceneDraft,
  type ScriptFormat,
} from './script.ts';

export type ScriptFileCheck =
  { ok: true; text: string; format: ScriptFormat } | { ok: false; reason: string };

// Control characters other than tab, line feed and carriage return never occur in a script.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const SRT_TIMING = /^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})/;

/**
 * Decides what an uploaded script is from its bytes alone (its name and declared type
 * are ignored): valid UTF-8 (a byte-order mark is dropped) with no control characters
 * and not too long; SubRip when its first block is an index and a timing line.
 */
export function readScriptFile(bytes: Uint8Array): ScriptFileCheck {
  if (bytes.length === 0) return { ok: false, reason: 'The file is empty.' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, reason: 'The file is not text (UTF-8). Upload a .txt or .srt file.' };
  }
  text = text.replace(/\r\n?/g, '\n');
  if (CONTROL.test(text)) {
    return { ok: false, reason: 'The file is not plain text. Upload a .txt or .srt file.' };
  }
  if (text.trim().length === 0) return { ok: false, reason: 'The file has no text.' };
  if (text.length > MAX_SCRIPT_LENGTH) {
    return { ok: false, reason: `Scripts can be up to ${MAX_SCRIPT_LENGTH} characters.` };
  }
  return { ok: true, text, format: looksLikeSrt(text) ? 'srt' : 'text' };
}

function looksLikeSrt(text: string): boolean {
  const [first, second] = text.trim().split('\n');
  return /^\d+$/.test(first?.trim() ?? '') && SRT_TIMING.test(second?.trim() ?? '');
}

export interface SrtCue {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

const seconds = (h: string, m: string, s: string, ms: string) =>
  Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms.padEnd(3, '0')) / 1000;

/** The cues of a SubRip file, in order; blocks without a timing line are skipped. */
export function parseSrt(text: string): SrtCue[] {
  const cues: SrtCue[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = block.trim().split('\n');
    const at = lines.findIndex((l) => SRT_TIMING.test(l.trim()));
    if (at < 0) continue;
    const m = SRT_TIMING.exec(lines[at]!.trim())!;
    const body = lines
      .slice(at + 1)
      .join(' ')
      // SubRip allows a few HTML-like tags (<i>, <b>, <font>); the words are what count.
      .replace(/<[^>]{1,40}>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (!body) continue;
    cues.push({
      startSeconds: seconds(m[1]!, m[2]!, m[3]!, m[4]!),
      endSeconds: seconds(m[5]!, m[6]!, m[7]!, m[8]!),
      text: body,
    });
  }
  return cues;
}

const SENTENCE = /[^.!?…]+(?:[.!?…]+["'”’)\]]*|$)/g;

function sentencesOf(paragraph: string): string[] {
  return (paragraph.replace(/\s+/g, ' ').match(SENTENCE) ?? []).map((s) => s.trim()).filter(Boolean);
}

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Cuts a text that is too long for one scene at word boundaries. */
function capLength(text: string): string[] {
  if (text.length <= MAX_SCENE_TEXT_LENGTH) return [text];
  const parts: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + word.length + 1 > MAX_SCENE_TEXT_LENGTH) {
      parts.push(current);
      current = '';
    }
    current = current ? `${current} ${word}` : word.slice(0, MAX_SCENE_TEXT_LENGTH);
  }
  if (current) parts.push(current);
  return parts;
}

export type SplitResult = { ok: true; scenes: SceneDraft[] } | { ok: false; reason: string };

/**
 * The built-in splitter. Plain text: paragraphs stay apart, and sentences are grouped
 * into scenes of about TARGET_SCENE_WORDS words; each scene lasts as long as its words
 * take to say, rounded up to a duration the model offers. SubRip: one scene per cue,
 * lasting as long as the cue (rounded the same way).
 */
export function splitScript(text: string, format: ScriptFormat, durations: readonly number[]): SplitResult {
  const drafts: { text: string; seconds: number }[] = [];
  if (format === 'srt') {
    for (const cue of parseSrt(text)) {
      const span = Math.max(cue.endSeconds - cue.startSeconds, speakingSeconds(cue.text));
      for (const part of capLength(cue.text)) drafts.push({ text: part, seconds: span });
    }
  } else {
    for (const paragraph of text.split(/\n\s*\n/)) {
      let group: string[] = [];
      const flush = () => {
        if (group.length)
          for (const part of capLength(group.join(' '))) drafts.push({ text: part, seconds: 0 });
        group = [];
      };
      for (const sentence of sentencesOf(paragraph)) {
        if (group.length && wordCount([...group, sentence].join(' ')) > TARGET_SCENE_WORDS) flush();
        group.push(sentence);
      }
      flush();
    }
  }
  if (drafts.length === 0) return { ok: false, reason: 'The script has no words to make scenes of.' };
  if (drafts.length > MAX_SCENES) {
    return {
      ok: false,
      reason: `This script makes ${drafts.length} scenes; a project has at most ${MAX_SCENES}. Shorten it or split it into two projects.`,
    };
  }
  return {
    ok: true,
    scenes: drafts.map((d) => ({
      text: d.text,
      durationSeconds: snapDuration(Math.max(d.seconds, speakingSeconds(d.text)), durations),
    })),
  };
}

// ---------------------------------------------------------------- subtitles

const vttTime = (s: number) => {
  const ms = Math.round(s * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
};

/** Characters a WebVTT cue must escape, and the one sequence it must not contain. */
const escapeCue = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/-->/g, '--&gt;');

/** Lines of at most `width` characters, for subtitles a viewer can read. */
export function wrapLines(text: string, width = 42): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The subtitles of a composition: one cue per scene, timed by the scenes' durations. */
export function webVtt(scenes: readonly SceneDraft[]): string {
  const timeline = sceneTimeline(scenes.map((s) => s.durationSeconds));
  const cues = scenes.map((scene, i) => {
    const span = timeline[i]!;
    return `${i + 1}\n${vttTime(span.start)} --> ${vttTime(span.end)}\n${wrapLines(escapeCue(scene.text)).join('\n')}`;
  });
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}
