import { open, stat } from 'node:fs/promises';
import { ffprobePath, ffprobeTimeoutMs, lastLines, runCapture, type RunResult } from './ffmpeg.ts';
import { VideoError } from './video-error.ts';

/**
 * Reads a video's metadata with ffprobe and enforces the ingestion limits.
 *
 * Everything downstream (window sampling, timestamps, overlays) uses the *display* geometry:
 * `width`/`height` are after rotation, because ffmpeg auto-rotates decoded frames.
 */
export interface VideoMeta {
  /** Frames per second: avg_frame_rate when valid, else r_frame_rate. */
  fps: number;
  /** Best estimate of the number of decodable frames. */
  frameCount: number;
  frameCountSource: 'nb_frames' | 'duration' | 'packets';
  /** Seconds, from the video stream, else the container. */
  durationSec: number;
  /** Display size (after rotation). */
  width: number;
  height: number;
  /** Stored (coded) size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  codec: string;
  /** Clockwise rotation in degrees applied for display: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** start_time of the video stream in seconds (often 0; non-zero for cut or MPEG-TS files). */
  startTime: number;
  /**
   * Where the first video frame sits on the player timeline (0 = container start, what an HTML
   * <video>'s currentTime counts from): video start_time minus the container's start_time.
   * All timestamps this module returns are on that timeline.
   */
  firstFrameTime: number;
  formatName: string;
  streamIndex: number;
  hasAudio: boolean;
  sizeBytes: number;
}

export interface VideoLimits {
  /** Longer display side, pixels. Default 3840 (UHD, "4K"): anything larger is downscaled to 112–224 px anyway. */
  maxLongSide: number;
  /** Shorter display side, pixels. Default 2160, so 3840×2160 and its portrait 2160×3840 both pass. */
  maxShortSide: number;
  /** Default 600 s (10 min): the "every window" mode decodes the whole file, so duration bounds job time. */
  maxDurationSec: number;
  /** Count packets (demux only, no decode) when neither nb_frames nor duration is known, up to this file size. Default 512 MiB. */
  maxBytesForPacketCount: number;
}

export const DEFAULT_VIDEO_LIMITS: Readonly<VideoLimits> = Object.freeze({
  maxLongSide: 3840,
  maxShortSide: 2160,
  maxDurationSec: 600,
  maxBytesForPacketCount: 512 * 1024 * 1024,
});

/** Container formats ffprobe accepts that are not videos for our purposes. */
const NON_VIDEO_FORMATS = new Set(['tty', 'image2', 'lrc', 'srt', 'ass', 'webvtt', 'subviewer', 'microdvd', 'mpl2', 'jacosub']);

interface FfStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  coded_width?: number;
  coded_height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  start_time?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number; displaymatrix?: string }>;
}
interface FfFormat {
  format_name?: string;
  duration?: string;
  start_time?: string;
  size?: string;
}

export async function probeVideo(file: string, limits: Partial<VideoLimits> = {}, opts: { signal?: AbortSignal } = {}): Promise<VideoMeta> {
  const lim: VideoLimits = { ...DEFAULT_VIDEO_LIMITS, ...limits };
  const st = await stat(file);
  if (!st.isFile()) throw new VideoError('NOT_A_VIDEO', 'The path is not a regular file.');
  if (st.size === 0) throw new VideoError('NOT_A_VIDEO', 'The file is empty.');

  const res = await ffprobe(['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], opts.signal);
  if (res.code !== 0) {
    const looksLikeContainer = await hasContainerSignature(file);
    if (looksLikeContainer) {
      throw new VideoError('CORRUPT', `The video file is damaged or incomplete (${lastLines(res.stderr, 2) || 'ffprobe failed'}).`, {
        stderr: res.stderr,
      });
    }
    throw new VideoError('NOT_A_VIDEO', 'The file is not a video in any format ffmpeg can read.', { stderr: res.stderr });
  }
  let parsed: { streams?: FfStream[]; format?: FfFormat };
  try {
    parsed = JSON.parse(res.stdout.toString('utf8')) as typeof parsed;
  } catch {
    throw new VideoError('FFMPEG_FAILED', 'ffprobe returned unreadable output.');
  }
  const format = parsed.format ?? {};
  const formatName = format.format_name ?? '';
  if (NON_VIDEO_FORMATS.has(formatName) || formatName.endsWith('_pipe')) {
    throw new VideoError('NOT_A_VIDEO', `The file is not a video (ffmpeg reads it as "${formatName}").`);
  }
  const streams = parsed.streams ?? [];
  const videoStreams = streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const stream = videoStreams.find((s) => s.disposition?.default) ?? videoStreams[0];
  const hasAudio = streams.some((s) => s.codec_type === 'audio');
  if (!stream) {
    throw new VideoError(
      'NO_VIDEO_STREAM',
      hasAudio ? 'The file has audio but no video stream.' : 'The file has no video stream.',
    );
  }

  const codedWidth = stream.width ?? 0;
  const codedHeight = stream.height ?? 0;
  if (!(codedWidth > 0 && codedHeight > 0)) {
    throw new VideoError('CORRUPT', 'The video stream has no valid frame size.');
  }
  const rotation = readRotation(stream);
  const swap = rotation === 90 || rotation === 270;
  const width = swap ? codedHeight : codedWidth;
  const height = swap ? codedWidth : codedHeight;

  const fps = pickFps(stream);
  const streamDuration = num(stream.duration);
  const formatDuration = num(format.duration);
  const durationSec = streamDuration !== undefined && streamDuration > 0 ? streamDuration : formatDuration ?? 0;
  const startTime = num(stream.start_time) ?? num(format.start_time) ?? 0;
  const firstFrameTime = Math.max(0, startTime - (num(format.start_time) ?? startTime));

  let frameCount = 0;
  let frameCountSource: VideoMeta['frameCountSource'] = 'nb_frames';
  const nb = num(stream.nb_frames);
  if (nb !== undefined && nb > 0) {
    frameCount = Math.round(nb);
  } else if (durationSec > 0 && fps > 0) {
    frameCount = Math.max(1, Math.round(durationSec * fps));
    frameCountSource = 'duration';
  } else if (st.size <= lim.maxBytesForPacketCount) {
    frameCount = await countPackets(file, stream.index, opts.signal);
    frameCountSource = 'packets';
  }
  if (frameCount <= 0 || !(fps > 0)) {
    throw new VideoError('ZERO_FRAMES', 'The video stream contains no frames.');
  }
  const effectiveDuration = durationSec > 0 ? durationSec : frameCount / fps;

  const longSide = Math.max(width, height);
  const shortSide = Math.min(width, height);
  if (longSide > lim.maxLongSide || shortSide > lim.maxShortSide) {
    throw new VideoError(
      'TOO_LARGE_RESOLUTION',
      `The video is ${width}×${height}; the largest accepted size is ${lim.maxLongSide}×${lim.maxShortSide} (either orientation).`,
      { width, height, ...lim },
    );
  }
  if (effectiveDuration > lim.maxDurationSec) {
    throw new VideoError(
      'TOO_LONG',
      `The video lasts ${effectiveDuration.toFixed(1)} s; the longest accepted is ${lim.maxDurationSec} s.`,
      { durationSec: effectiveDuration, maxDurationSec: lim.maxDurationSec },
    );
  }

  return {
    fps,
    frameCount,
    frameCountSource,
    durationSec: effectiveDuration,
    width,
    height,
    codedWidth,
    codedHeight,
    codec: stream.codec_name ?? 'unknown',
    rotation,
    startTime,
    firstFrameTime,
    formatName,
    streamIndex: stream.index,
    hasAudio,
    sizeBytes: st.size,
  };
}

async function ffprobe(args: string[], signal?: AbortSignal): Promise<RunResult> {
  try {
    const res = await runCapture(ffprobePath(), args, { signal, timeoutMs: ffprobeTimeoutMs(), tool: 'ffprobe' });
    if (res.signal) throw new VideoError('FFMPEG_FAILED', `ffprobe was killed (${res.signal}).`);
    return res;
  } catch (err) {
    if (err instanceof VideoError || signal?.aborted) throw err;
    throw new VideoError('FFMPEG_FAILED', `Could not run ffprobe: ${(err as Error).message}`);
  }
}

async function countPackets(file: string, streamIndex: number, signal?: AbortSignal): Promise<number> {
  const res = await ffprobe([
    '-v', 'error', '-count_packets', '-select_streams', String(streamIndex),
    '-show_entries', 'stream=nb_read_packets', '-print_format', 'json', file,
  ], signal);
  if (res.code !== 0) return 0;
  try {
    const parsed = JSON.parse(res.stdout.toString('utf8')) as { streams?: FfStream[] };
    return Number(parsed.streams?.[0]?.nb_read_packets ?? 0) || 0;
  } catch {
    return 0;
  }
}

function num(v: string | number | undefined): number | undefined {
  if (v === undefined || v === 'N/A') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [a, b] = rate.split('/');
  const n = Number(a);
  const d = b === undefined ? 1 : Number(b);
  return d > 0 && Number.isFinite(n) ? n / d : 0;
}

/**
 * avg_frame_rate is the mean rate of the stream and right for variable-frame-rate phone video;
 * r_frame_rate is the timebase-derived "real base" rate and can be a huge value like 90000/1
 * for some containers, so it only fills in when avg_frame_rate is missing or implausible.
 */
function pickFps(stream: FfStream): number {
  const plausible = (f: number) => f > 0 && f <= 1000;
  const avg = parseRate(stream.avg_frame_rate);
  if (plausible(avg)) return avg;
  const r = parseRate(stream.r_frame_rate);
  return plausible(r) ? r : 0;
}

/**
 * Clockwise display rotation. Modern ffprobe reports the display matrix's angle
 * counter-clockwise in `side_data_list[].rotation`; older files and tools carry a clockwise
 * `rotate` tag. Both are normalised to {0, 90, 180, 270} clockwise.
 */
function readRotation(stream: FfStream): 0 | 90 | 180 | 270 {
  let cw: number | undefined;
  const sd = stream.side_data_list?.find((d) => typeof d.rotation === 'number');
  if (sd && typeof sd.rotation === 'number') cw = -sd.rotation;
  else if (stream.tags?.rotate !== undefined) cw = Number(stream.tags.rotate);
  if (cw === undefined || !Number.isFinite(cw)) return 0;
  const q = ((Math.round(cw / 90) * 90) % 360 + 360) % 360;
  return q as 0 | 90 | 180 | 270;
}

/** Magic numbers of the common video containers: if one matches, a probe failure means damage, not a wrong file type. */
async function hasContainerSignature(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  const head = Buffer.alloc(376);
  let n = 0;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, head.length, 0));
  } finally {
    await fh.close();
  }
  const b = head.subarray(0, n);
  const ascii = (start: number, len: number) => b.subarray(start, start + len).toString('latin1');
  if (n >= 8 && ['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot'].includes(ascii(4, 4))) return true; // ISO BMFF / QuickTime
  if (n >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return true; // Matroska / WebM (EBML)
  if (n >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'AVI ') return true;
  if (n >= 4 && ascii(0, 4) === 'OggS') return true;
  if (n >= 3 && ascii(0, 3) === 'FLV') return true;
  if (n >= 4 && b.readUInt32BE(0) === 0x000001ba) return true; // MPEG program stream
  if (n >= 189 && b[0] === 0x47 && b[188] === 0x47) return true; // MPEG transport stream
  if (n >= 8 && b.readUInt32BE(0) === 0x3026b275 && b.readUInt32BE(4) === 0x8e66cf11) return true; // ASF / WMV
  return false;
}
