import { describe, expect, it } from 'vitest';
import { ApiError } from './graphql-client.ts';
import { allFieldsShown, fieldError } from './form.ts';

describe('form errors', () => {
  it('finds field messages by plain name or input path', () => {
    const err = new ApiError('BAD_USER_INPUT', 'Invalid.', { fields: { email: 'Bad email.', 'input.password': 'Too short.' } });
    expect(fieldError(err, 'email')).toBe('Bad email.');
    expect(fieldError(err, 'password')).toBe('Too short.');
    expect(fieldError(err, 'name')).toBeUndefined();
    expect(fieldError(null, 'email')).toBeUndefined();
  });

  it('asks for a banner when a field message has no input to sit next to', () => {
    const err = new ApiError('BAD_USER_INPUT', 'Invalid.', { fields: { email: 'x', teamId: 'y' } });
    expect(allFieldsShown(err, ['email', 'password'])).toBe(false);
    expect(allFieldsShown(err, ['email', 'teamId'])).toBe(true);
    expect(allFieldsShown(new ApiError('CONFLICT', 'Taken.'), ['email'])).toBe(false);
  });
});
