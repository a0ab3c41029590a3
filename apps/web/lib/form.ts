import type { ApiError } from './graphql-client.ts';

/**
 * The inline message for one form field. Servers name fields either plainly (`email`) or by their
 * path in the input object (`input.email`); both are accepted.
 */
export function fieldError(error: ApiError | null | undefined, name: string): string | undefined {
  if (!error) return undefined;
  return error.fields[name] ?? error.fields[`input.${name}`];
}

/** True when every field message of the error is shown next to one of `shown`, so no banner is needed. */
export function allFieldsShown(error: ApiError, shown: readonly string[]): boolean {
  const keys = Object.keys(error.fields);
  return keys.length > 0 && keys.every((k) => shown.includes(k.replace(/^input\./, '')));
}

export function formString(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}
