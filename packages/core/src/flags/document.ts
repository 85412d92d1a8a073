// The AWS.AppConfig.FeatureFlags document a flag step deploys: the version before the rollout with only
// this flag's value changed. Below 100% the flag becomes a multi-variant flag whose first variant is
// enabled for a share of users (AppConfig's `split` on the `userId` context key) or, with cells, for the
// cells that have it (`in` on the `cell` context key); every other flag and variant stays as it was.
import { InputError, isObject, notJson, type Json } from '../shared/index';

/** The variant shiftgate adds and replaces; other variants of the flag are kept after it. */
export const ROLLOUT_VARIANT = 'shiftgate-rollout';
/** The context key AppConfig splits users by: the application passes it when it asks for the flag. */
export const SPLIT_CONTEXT_KEY = 'userId';
/** The context key naming the cell a request is served in. */
export const CELL_CONTEXT_KEY = 'cell';

type FlagValue = { [key: string]: Json };

/** What one flag step writes: the whole document and the rule of the enabled variant (null at 100%). */
export interface ExposureDocument {
  content: string;
  rule: string | null;
  /** With cells: the cells that have the flag; null without cells. */
  cells: string[] | null;
}

/** The cells that have the flag at `exposure` percent: the first ⌈exposure × n / 100⌉ in rollout order. */
export function exposedCells(cells: readonly string[], exposure: number): string[] {
  const count = exposure <= 0 ? 0 : Math.min(cells.length, Math.ceil((exposure * cells.length) / 100));
  return cells.slice(0, count);
}

/**
 * Reads a feature-flag document and checks that it defines `flag`; throws an {@link InputError}
 * naming `flag-name` (nothing has moved yet when this is called before the first step).
 */
export function parseFlagsDocument(text: string, flag: string, where: string): { [key: string]: Json } {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (error) {
    throw new InputError('appconfig-profile', where, '', {
      message: `The feature flags of ${where} are not JSON (${notJson(error)}); shiftgate writes only AWS.AppConfig.FeatureFlags documents. Nothing was changed.`,
    });
  }
  if (!isObject(doc) || !isObject(doc.flags ?? null)) {
    throw new InputError('appconfig-profile', where, '', {
      message: `The configuration of ${where} is not an AWS.AppConfig.FeatureFlags document (no 'flags'). Nothing was changed.`,
    });
  }
  if (!(flag in (doc.flags as FlagValue))) {
    const known = Object.keys(doc.flags as FlagValue);
    throw new InputError('flag-name', flag, '', {
      message: `Input 'flag-name' is '${flag}', which ${where} does not define (its flags: ${known.length > 0 ? known.join(', ') : 'none'}); create the flag in AppConfig first. Nothing was changed.`,
    });
  }
  return doc;
}

/**
 * The document with `flag` at `exposure` percent, every other flag unchanged. At 100% without cells the
 * flag is simply enabled (its attributes kept); below it, or with cells, it is a multi-variant flag:
 * the shiftgate variant (enabled, with the rule), the flag's own variants with rules, then a default
 * variant (the flag's own, or the flag's attributes disabled).
 */
export function exposureDocument(options: {
  base: string;
  flag: string;
  exposure: number;
  /** With cells: every cell in rollout order; the first share of them get the flag. */
  cells: readonly string[] | null;
  where: string;
}): ExposureDocument {
  const { flag, exposure } = options;
  const doc = parseFlagsDocument(options.base, flag, options.where);
  const values: FlagValue = isObject(doc.values ?? null) ? { ...(doc.values as FlagValue) } : {};
  const previous: FlagValue = isObject(values[flag] ?? null) ? (values[flag] as FlagValue) : {};
  const attributes: FlagValue = {};
  for (const [key, value] of Object.entries(previous))
    if (key !== 'enabled' && key !== '_variants') attributes[key] = value;
  const cells = options.cells ? exposedCells(options.cells, exposure) : null;
  const everyone = cells ? cells.length === options.cells!.length : exposure >= 100;
  let rule: string | null = null;
  if (everyone) {
    values[flag] = { ...attributes, enabled: true };
  } else {
    rule = cells
      ? cells.length === 0
        ? `(in $${CELL_CONTEXT_KEY} [])`
        : `(in $${CELL_CONTEXT_KEY} [${cells.map((c) => JSON.stringify(c)).join(', ')}])`
      : `(split by::$${SPLIT_CONTEXT_KEY} pct::${exposure})`;
    const own = Array.isArray(previous._variants)
      ? previous._variants.filter((v) => isObject(v) && v.name !== ROLLOUT_VARIANT)
      : [];
    const ruled = own.filter((v) => isObject(v) && typeof v.rule === 'string');
    const fallback = own.find((v) => isObject(v) && v.rule === undefined) ?? {
      name: 'default',
      ...attributes,
      enabled: false,
    };
    values[flag] = {
      _variants: [{ name: ROLLOUT_VARIANT, enabled: true, rule, ...attributes }, ...ruled, fallback],
    };
  }
  const content = JSON.stringify({ ...doc, values });
  return { content, rule, cells };
}
