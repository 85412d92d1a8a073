// Evaluates the `${{ }}` expressions of composite actions and workflows with GitHub's expression engine
// (@actions/expressions) against realistic contexts. Contexts are strict: reading a key that does not exist
// (a step id that did not run, an output the action does not declare, an input that is not defined) is an
// error, so a typo such as `steps.selct.outputs.state` fails the suite instead of evaluating to ''.
import { Evaluator, Lexer, Parser, data, type Expr } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import type { IndexAccess } from '@actions/expressions/ast';

/** A dictionary whose missing keys are errors. `path` names it in messages (`steps.select.outputs`). */
export class StrictDictionary extends data.Dictionary {
  constructor(
    readonly path: string,
    ...pairs: { key: string; value: data.ExpressionData }[]
  ) {
    super(...pairs);
  }
}

/** Converts plain data to expression data; objects listed in `strict` (by path) become strict dictionaries. */
export function toData(value: unknown, path: string, strict: (path: string) => boolean): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) {
    const array = new data.Array();
    value.forEach((item, i) => array.add(toData(item, `${path}[${i}]`, strict)));
    return array;
  }
  const pairs = Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
    key,
    value: toData(v, path ? `${path}.${key}` : key, strict),
  }));
  return strict(path) ? new StrictDictionary(path, ...pairs) : new data.Dictionary(...pairs);
}

class StrictEvaluator extends Evaluator {
  override visitIndexAccess(ia: IndexAccess): data.ExpressionData {
    const target = this.eval(ia.expr);
    if (target instanceof StrictDictionary) {
      const index = this.eval(ia.index);
      if (index.kind === data.Kind.String) {
        const key = (index as data.StringData).coerceString();
        const present = target.pairs().some((p) => p.key.toLowerCase() === key.toLowerCase());
        if (!present) {
          const known = target.pairs().map((p) => p.key);
          throw new Error(
            `${target.path ? `${target.path}.` : ''}${key} is not defined (known: ${known.join(', ') || 'none'})`,
          );
        }
      }
    }
    return super.visitIndexAccess(ia);
  }
}

/** The job status a condition is evaluated under. */
export type JobStatus = 'success' | 'failure' | 'cancelled';

function statusFunctions(status: JobStatus): Map<string, FunctionDefinition> {
  const fn = (name: string, value: boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
  ];
  return new Map([
    fn('success', status === 'success'),
    fn('failure', status === 'failure'),
    fn('cancelled', status === 'cancelled'),
    fn('always', true),
    [
      'hashFiles',
      { name: 'hashFiles', minArgs: 1, maxArgs: 255, call: () => new data.StringData('0'.repeat(64)) },
    ],
  ]);
}

const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
];

function parse(expression: string): Expr {
  const lexed = new Lexer(expression).lex();
  const functions = ['success', 'failure', 'cancelled', 'always', 'hashFiles'].map((name) => ({
    name,
    minArgs: 0,
    maxArgs: name === 'hashFiles' ? 255 : 0,
  }));
  return new Parser(lexed.tokens, CONTEXT_NAMES, functions).parse();
}

/** Evaluates one expression (without `${{ }}`) against contexts, strictly. */
export function evaluate(
  expression: string,
  contexts: data.Dictionary,
  status: JobStatus = 'success',
): data.ExpressionData {
  return new StrictEvaluator(parse(expression), contexts, statusFunctions(status)).evaluate();
}

/** Interpolates every `${{ }}` in a string; throws naming the expression that failed. */
export function interpolate(text: string, contexts: data.Dictionary, status: JobStatus = 'success'): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, inner: string) => {
    try {
      return evaluate(inner.trim(), contexts, status).coerceString();
    } catch (error) {
      throw new Error(`\${{ ${inner.trim()} }}: ${(error as Error).message}`);
    }
  });
}

/**
 * Evaluates an `if:` condition as the runner does: `${{ }}` optional, and `success() &&` implied when the
 * condition calls no status function.
 */
export function condition(text: string | undefined, contexts: data.Dictionary, status: JobStatus): boolean {
  if (text === undefined) return status === 'success';
  let expression = String(text).trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(expression);
  if (wrapped) expression = (wrapped[1] as string).trim();
  if (!/\b(success|failure|cancelled|always)\s*\(/.test(expression))
    expression = `success() && (${expression})`;
  try {
    return truthy(evaluate(expression, contexts, status));
  } catch (error) {
    throw new Error(`if: ${text}: ${(error as Error).message}`);
  }
}

function truthy(value: data.ExpressionData): boolean {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number:
      return (value as data.NumberData).value !== 0;
    case data.Kind.String:
      return (value as data.StringData).value !== '';
    default:
      return true;
  }
}
