import { describe, expect, it } from 'vitest';
import { describeSelection, errorFromResponse, filesFromInput } from './model-upload.ts';

const file = (name: string, relative = '') => Object.defineProperty(new File(['x'], name), 'webkitRelativePath', { value: relative });

describe('model upload (browser side)', () => {
  it('keeps folder paths from a folder picker and plain names otherwise', () => {
    expect(filesFromInput([file('model.json', 'tiny/model.json'), file('model.zip')]).map((f) => f.path)).toEqual(['tiny/model.json', 'model.zip']);
  });

  it('describes a selection in words', () => {
    expect(describeSelection(filesFromInput([file('m.zip')]))).toBe('m.zip');
    expect(describeSelection(filesFromInput([file('a', 'tiny/a'), file('b', 'tiny/b')]))).toBe('tiny (2 files)');
    expect(describeSelection(filesFromInput([file('a'), file('b')]))).toBe('the selected files (2 files)');
  });

  it('reads the API error, and words answers that are not JSON', () => {
    const body = JSON.stringify({ error: { code: 'BAD_USER_INPUT', reason: 'MANIFEST_INVALID', message: 'fep-model.json has 2 fields that are not valid.', problems: ['labels: x', 'version: y'] } });
    expect(errorFromResponse(400, body)).toEqual({ code: 'BAD_USER_INPUT', reason: 'MANIFEST_INVALID', message: 'fep-model.json has 2 fields that are not valid.', problems: ['labels: x', 'version: y'] });
    expect(errorFromResponse(413, '<html>too big</html>').reason).toBe('TOO_LARGE');
    expect(errorFromResponse(0, '').message).toMatch(/network error/);
  });
});
