'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { nearestClipFrame, seekTimeFor } from '../../lib/frame-sync.ts';

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/**
 * Calls `onTime(mediaTime)` for every frame the <video> presents (requestVideoFrameCallback, with
 * the presented frame's media time), and after each seek and load (currentTime); without
 * requestVideoFrameCallback, on timeupdate too. Returns the unsubscribe function.
 */
export function followFrames(v: HTMLVideoElement, onTime: (mediaTime: number) => void): () => void {
  const fv = v as FrameCallbackVideo;
  let handle = 0;
  let stopped = false;
  const loop = (_now: number, meta: { mediaTime: number }) => {
    if (stopped) return;
    onTime(meta.mediaTime);
    handle = fv.requestVideoFrameCallback!(loop);
  };
  if (fv.requestVideoFrameCallback) handle = fv.requestVideoFrameCallback(loop);
  const onEvent = () => onTime(v.currentTime);
  v.addEventListener('seeked', onEvent);
  v.addEventListener('loadeddata', onEvent);
  if (!fv.requestVideoFrameCallback) v.addEventListener('timeupdate', onEvent);
  return () => {
    stopped = true;
    if (handle && fv.cancelVideoFrameCallback) fv.cancelVideoFrameCallback(handle);
    v.removeEventListener('seeked', onEvent);
    v.removeEventListener('loadeddata', onEvent);
    v.removeEventListener('timeupdate', onEvent);
  };
}

/**
 * The clock of a viewer: follows the <video> per presented frame with requestVideoFrameCallback
 * (falls back to timeupdate/seeked) and maps its media time to the clip frame with the nearest
 * source timestamp. `onFrame` runs for every presented frame (the heat map itself is drawn by
 * SaliencyOverlay.tsx, which follows the same video).
 */
export function useVideoClock(timestamps: readonly number[], onFrame: (frame: number | null, mediaTime: number) => void = () => {}) {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [frame, setFrame] = useState<number | null>(null);
  const [mediaTime, setMediaTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const onFrameRef = useRef(onFrame);
  onFrameRef.current = onFrame;
  // The frame a seek is heading to: key presses faster than the video seeks step from here, so
  // five quick → presses move exactly five frames.
  const targetRef = useRef<number | null>(null);

  useEffect(() => {
    const v = videoRef.current;
    if (!v) return;
    const stop = followFrames(v, (t) => {
      if (!v.seeking) targetRef.current = null;
      const f = nearestClipFrame(timestamps, t);
      setFrame(f);
      setMediaTime(t);
      onFrameRef.current(f, t);
    });
    const onPlay = () => setPlaying(true);
    const onPause = () => setPlaying(false);
    v.addEventListener('play', onPlay);
    v.addEventListener('pause', onPause);
    return () => {
      stop();
      v.removeEventListener('play', onPlay);
      v.removeEventListener('pause', onPause);
    };
  }, [timestamps]);

  const seekFrame = useCallback(
    (i: number) => {
      const v = videoRef.current;
      if (!v || !timestamps.length) return;
      v.pause();
      targetRef.current = i;
      v.currentTime = seekTimeFor(timestamps, i);
    },
    [timestamps],
  );
  const step = useCallback(
    (delta: number) => {
      const current = targetRef.current ?? frame ?? (delta > 0 ? -1 : timestamps.length);
      seekFrame(Math.max(0, Math.min(timestamps.length - 1, current + delta)));
    },
    [frame, seekFrame, timestamps.length],
  );
  const togglePlay = useCallback(() => {
    const v = videoRef.current;
    if (!v) return;
    if (v.paused) void v.play().catch(() => {});
    else v.pause();
  }, []);
  /** Redraws the current frame (after a settings change while paused). */
  const redraw = useCallback(() => {
    const v = videoRef.current;
    if (v) onFrameRef.current(nearestClipFrame(timestamps, v.currentTime), v.currentTime);
  }, [timestamps]);

  return { videoRef, frame, mediaTime, playing, seekFrame, step, togglePlay, redraw };
}
