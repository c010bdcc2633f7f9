// ffmpeg's arguments for a composition. Every clip is fitted to the project's frame
// (scaled, letterboxed, 24 fps) and made exactly its scene's length (its last frame held
// if it is short, cut if long), so the video lasts the sum of the scenes whatever the
// providers delivered; the voice track is the audio; the WebVTT file becomes a soft
// subtitle track (mov_text) and, when asked, is burned into the picture with libass
// using the DejaVu fonts shipped by npm, so nothing is needed from the machine.
import { filter, num, option } from '../../providers/local/filtergraph.ts';
import { fontDirectory } from '../../providers/local/looks.ts';

/**
 * x264 speed/size trade-off, as for the local renderer: shared cores, speed wins (on
 * these 2 cores `ultrafast` took 2.2 s of CPU for 24 s of 720p, `veryfast` 5.3 s).
 */
const X264_PRESET = 'ultrafast';
/** Lower is better quality; 23 is x264's default, fine for re-encoding renders. */
const X264_CRF = '23';
const AUDIO_BITRATE = '128k';

export interface CompositionInput {
  clips: { file: string; seconds: number }[];
  voiceFile: string;
  subtitlesFile: string;
  burnSubtitles: boolean;
  width: number;
  height: number;
  fps: number;
  output: string;
}

export function compositionArgs(input: CompositionInput): string[] {
  const { clips, width, height, fps } = input;
  const total = clips.reduce((sum, c) => sum + c.seconds, 0);
  const inputs = clips.flatMap((c) => ['-i', c.file]);
  const voice = clips.length;
  const subtitles = clips.length + 1;
  const fitted = clips.map((clip, i) =>
    [
      `[${i}:v]`,
      [
        filter('scale', [`w=${width}`, `h=${height}`, 'force_original_aspect_ratio=decrease']),
        filter('pad', [`w=${width}`, `h=${height}`, 'x=(ow-iw)/2', 'y=(oh-ih)/2', 'color=black']),
        'setsar=1',
        filter('fps', [`fps=${fps}`]),
        filter('tpad', ['stop_mode=clone', `stop_duration=${num(clip.seconds)}`]),
        filter('trim', [`duration=${num(clip.seconds)}`]),
        'setpts=PTS-STARTPTS',
      ].join(','),
      `[v${i}]`,
    ].join(''),
  );
  const joined = `${clips.map((_, i) => `[v${i}]`).join('')}concat=n=${clips.length}:v=1:a=0`;
  const burn = input.burnSubtitles
    ? `,${filter('subtitles', [
        option('filename', input.subtitlesFile),
        option('fontsdir', fontDirectory()),
        option('force_style', 'FontName=DejaVu Sans,FontSize=16,Outline=1'),
      ])}`
    : '';
  return [
    ...inputs,
    '-i',
    input.voiceFile,
    '-i',
    input.subtitlesFile,
    '-filter_complex',
    `${fitted.join(';')};${joined}${burn},format=yuv420p[out]`,
    '-map',
    '[out]',
    '-map',
    `${voice}:a:0`,
    '-map',
    `${subtitles}:s:0`,
    '-c:v',
    'libx264',
    '-preset',
    X264_PRESET,
    '-crf',
    X264_CRF,
    '-c:a',
    'aac',
    '-b:a',
    AUDIO_BITRATE,
    '-c:s',
    'mov_text',
    '-metadata:s:s:0',
    'language=und',
    '-t',
    num(total),
    '-movflags',
    '+faststart',
    input.output,
  ];
}
