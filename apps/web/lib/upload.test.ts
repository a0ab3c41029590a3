import { describe, expect, it } from 'vitest';
import { looksLikeVideo, uploadErrorMessage } from './upload.ts';

describe('uploadErrorMessage', () => {
  it('uses the server message for size and type refusals', () => {
    expect(uploadErrorMessage(413, '{"error":"The file is larger than the 8 MB limit."}\n')).toBe('The file is larger than the 8 MB limit.');
    expect(uploadErrorMessage(415, '{"error":"Only video files can be uploaded (mp4, mov, webm, mkv, avi…)."}')).toMatch(/Only video files/);
  });
  it('words statuses without a usable body', () => {
    expect(uploadErrorMessage(413, '')).toMatch(/larger than the upload limit/);
    expect(uploadErrorMessage(415, 'not json')).toMatch(/not a video/);
    expect(uploadErrorMessage(401, '{"error":"x"}')).toMatch(/session has ended/);
    expect(uploadErrorMessage(null, null)).toMatch(/interrupted/);
    expect(uploadErrorMessage(502, null)).toMatch(/502/);
  });
});

describe('looksLikeVideo', () => {
  it('accepts video types and extensions, refuses others', () => {
    expect(looksLikeVideo({ name: 'a.bin', type: 'video/mp4' })).toBe(true);
    expect(looksLikeVideo({ name: 'clip.MOV', type: '' })).toBe(true);
    expect(looksLikeVideo({ name: 'notes.txt', type: 'text/plain' })).toBe(false);
  });
});
