// The one set of field rules for the values a rollout state, a deployment payload, a record and an
// action input share: versions, environments, refs, shas, names, ARNs, free text and commands. A state
// or payload is data anyone with `deployments: write` can write, so its fields are held to exactly the
// rules an input is: bounded length, no control characters (issue 10).
import { InputError, quote } from './errors';

/**
 * C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E–F, U+202A–E, U+2066–9) and the BOM: characters that end a
 * line, start a workflow command or make text read differently from how it runs.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
/** The same, with tab and newline allowed (multi-line commands). */
const CONTROL_BUT_LINES =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
/* eslint-enable no-control-regex */

/** True when the text holds a character {@link FIELD_RULES} never accept (see `CONTROL`). */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** How one kind of field is checked. */
export interface FieldRule {
  /** Longest accepted value, in characters (code points). */
  max: number;
  /** Any further shape the value must have. */
  test(value: string): boolean;
  /** What is allowed, for the error message ("must be …"). */
  allowed: string;
  /** Tab and newline are accepted (commands only). */
  lines?: boolean;
}

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+:@/-]*$/;
// No shell, Markdown or HTML character: a name is safe in a concurrency group, a log line and a URL.
const ENVIRONMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._ /-]*[A-Za-z0-9._/-])?$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// The characters of AWS ARNs; no backtick, pipe, angle bracket or quote, so an ARN is inert in a code span.
const ARN = /^arn:[A-Za-z0-9._:/+=,@*-]+$/;

/** A git ref as `git check-ref-format` accepts it, and never something a command line reads as an option. */
function isRef(value: string): boolean {
  return (
    !value.startsWith('-') &&
    !value.startsWith('/') &&
    !/[\s~^:?*[\\]/.test(value) &&
    !value.includes('..') &&
    !value.includes('@{') &&
    !value.includes('//') &&
    !/(^|\/)\./.test(value) &&
    !value.endsWith('/') &&
    !value.endsWith('.') &&
    !value.endsWith('.lock') &&
    value !== '@'
  );
}

/** The field kinds and their rules. */
export const FIELD_RULES = {
  version: {
    max: 256,
    test: (v) => VERSION.test(v),
    allowed:
      'a version of 1 to 256 letters, digits and . _ - + : @ / starting with a letter or digit (such as v1.2.3 or app@sha256:…)',
  },
  environment: {
    max: 255,
    test: (v) => ENVIRONMENT.test(v),
    allowed:
      'an environment name of 1 to 255 letters, digits, spaces and . _ / - starting with a letter or digit',
  },
  ref: {
    max: 255,
    test: isRef,
    allowed:
      "a branch, tag or commit sha of 1 to 255 characters (git ref rules: no spaces, ~ ^ : ? * [ \\ or '..', not starting with '-')",
  },
  sha: { max: 64, test: (v) => SHA.test(v), allowed: 'a commit sha of 40 (or 64) lowercase hex digits' },
  name: {
    max: 256,
    test: (v) => NAME.test(v),
    allowed:
      'a name of 1 to 256 letters, digits and . _ : / @ - starting with a letter or digit (no spaces or shell characters)',
  },
  arn: {
    max: 2048,
    test: (v) => ARN.test(v),
    allowed: "an ARN ('arn:…', at most 2048 letters, digits and . _ : / + = , @ * -)",
  },
  text: {
    max: 1024,
    test: () => true,
    allowed: 'text of 1 to 1024 characters on one line, without control characters',
  },
  command: {
    max: 8192,
    test: (v) => v.trim() !== '',
    allowed: 'a command of 1 to 8192 characters without control characters (tabs and newlines allowed)',
    lines: true,
  },
} satisfies Record<string, FieldRule>;

/** A kind of field. */
export type FieldKind = keyof typeof FIELD_RULES;

/**
 * What is wrong with a value of a field, as `must be …, got '…'`; null when it is fine. A value that is
 * not a string is refused too (documents are parsed from JSON).
 */
export function fieldProblem(kind: FieldKind, value: unknown): string | null {
  const rule: FieldRule = FIELD_RULES[kind];
  const ok =
    typeof value === 'string' &&
    value !== '' &&
    [...value].length <= rule.max &&
    !(rule.lines ? CONTROL_BUT_LINES : CONTROL).test(value) &&
    rule.test(value);
  return ok ? null : `must be ${rule.allowed}, got ${showValue(value)}`;
}

/** Parses one field of an input (or a document, `input` naming where it came from); throws an {@link InputError}. */
export function parseField(kind: FieldKind, input: string, value: unknown): string {
  const problem = fieldProblem(kind, value);
  if (problem !== null) {
    throw new InputError(input, value, FIELD_RULES[kind].allowed, {
      message: `Input '${input}' ${problem}`,
    });
  }
  return value as string;
}

/** The version being deployed (a tag, an image digest, a sha). */
export const parseVersion = (input: string, value: unknown): string => parseField('version', input, value);
/** A GitHub environment name. */
export const parseEnvironmentName = (input: string, value: unknown): string =>
  parseField('environment', input, value);
/** A branch, tag or commit sha. */
export const parseRef = (input: string, value: unknown): string => parseField('ref', input, value);
/** A full commit sha. */
export const parseSha = (input: string, value: unknown): string => parseField('sha', input, value);
/** A step, gate, hook, cell or service name. */
export const parseName = (input: string, value: unknown): string => parseField('name', input, value);

/**
 * A value for an error message: quoted, on one line, at most 200 characters, with control characters
 * shown as `\u001b` escapes (so an error never carries a raw ESC, BEL or bidi override).
 */
export function showValue(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'nothing' : `a ${kindOf(value)}`;
  if (value === '') return 'an empty string';
  return quote(
    value.replace(
      new RegExp(CONTROL.source, 'gu'),
      (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
    ),
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}
