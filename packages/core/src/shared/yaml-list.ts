// A YAML (or JSON) list of mappings in one input, as `metric-queries` and `services` take it: parsed
// once, with every problem an InputError that names the input and says what is allowed.
import { parse } from 'yaml';
import { InputError, quote } from './errors';

/** The items of a YAML list input, and the way to refuse one of them. */
export interface YamlList {
  /** Each item; a `fail` call has refused any that is not a mapping. */
  items: Record<string, unknown>[];
  /** Throws an {@link InputError}: `Input '<input>' must be <allowed>: <problem>`. */
  fail: (problem: string) => never;
}

/**
 * Parses `text` as a list of at most `max` mappings (`what` names them in the count's error). Throws
 * for text that is not YAML, not a list (or an empty one, unless `allowEmpty`), too long, or with an
 * item that is not a mapping.
 */
export function parseYamlList(
  input: string,
  text: string,
  options: { allowed: string; max: number; what: string; allowEmpty?: boolean },
): YamlList {
  const fail = (problem: string): never => {
    throw new InputError(input, text, options.allowed, {
      message: `Input '${input}' must be ${options.allowed}: ${problem}`,
    });
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return fail(`it is not YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(doc) || (doc.length === 0 && !options.allowEmpty))
    return fail(`expected a${options.allowEmpty ? '' : ' non-empty'} list, got ${quote(text)}`);
  if (doc.length > options.max) fail(`at most ${options.max} ${options.what} are allowed, got ${doc.length}`);
  const items = doc.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return fail(`item ${i + 1} is not a mapping`);
    return raw as Record<string, unknown>;
  });
  return { items, fail };
}
