/**
 * An input that cannot be accepted. The message always names the input, the value that was given and
 * what is allowed, so the person reading a failed job knows what to change without reading code.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** Name of the input, config key or flag that was refused (kebab-case, as the user wrote it). */
  readonly input: string;
  /** The value as the user gave it. */
  readonly value: unknown;

  constructor(input: string, value: unknown, allowed: string, options?: { message?: string }) {
    super(options?.message ?? `Input '${input}' must be ${allowed}, got ${quote(value)}`);
    this.input = input;
    this.value = value;
  }
}

/** Quotes a user value for an error message without letting it span lines or run on forever. */
export function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/\r?\n/g, '\\n');
  return `'${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat}'`;
}

/** Normalises anything thrown into a message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
