import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Argument errors: the CLI prints the message and the command's usage to stderr and exits 2
 * (the conventional "incorrect usage" status of sh, getopt and most Unix tools).
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs in strict mode, with its TypeErrors turned into UsageErrors. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string, maxPositionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new UsageError(msg, usage);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[maxPositionals]}".`, usage);
  }
  return parsed;
}

export function requireString(value: string | boolean | undefined, name: string, usage: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`Missing required option --${name}.`, usage);
  return value;
}

export function intArg(value: string | undefined, name: string, usage: string, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be an integer, got "${value}".`, usage);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} is out of range: ${value}.`, usage);
  if (range.min !== undefined && n < range.min) throw new UsageError(`--${name} must be ≥ ${range.min}, got ${n}.`, usage);
  if (range.max !== undefined && n > range.max) throw new UsageError(`--${name} must be ≤ ${range.max}, got ${n}.`, usage);
  return n;
}

export function numberArg(
  value: string | undefined,
  name: string,
  usage: string,
  range: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`, usage);
  if (range.min !== undefined && (range.exclusiveMin ? n <= range.min : n < range.min)) {
    throw new UsageError(`--${name} must be ${range.exclusiveMin ? '>' : '≥'} ${range.min}, got ${n}.`, usage);
  }
  if (range.max !== undefined && n > range.max) throw new UsageError(`--${name} must be ≤ ${range.max}, got ${n}.`, usage);
  return n;
}

export function choiceArg<T extends string>(value: string | undefined, name: string, choices: readonly T[], usage: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${value}".`, usage);
  }
  return value as T;
}
