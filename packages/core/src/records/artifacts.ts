// The `artifacts` input of record-deployment: which files a deployment shipped.
import { InputError } from '../shared/index';

/** One line of the `artifacts` input: an artifact type and the path or glob of its one file. */
export interface ArtifactSpec {
  type: string;
  pattern: string;
}

const ARTIFACT_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/**
 * Parses the `artifacts` input: one `type=path-or-glob` per line (blank lines ignored), for example
 * `image=dist/image.tar` or `bundle=build/app-*.zip`. Types are 1 to 32 letters, digits, `.`, `_`
 * or `-` (the seed's VARCHAR(32)), each at most once; paths are relative to the workspace and stay in it.
 */
export function parseArtifactList(input: string, value: string): ArtifactSpec[] {
  const allowed = "lines of 'type=path-or-glob' such as 'image=dist/image.tar', relative to the workspace";
  const specs: ArtifactSpec[] = [];
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    const type = eq < 0 ? '' : line.slice(0, eq).trim();
    const pattern =
      eq < 0
        ? ''
        : line
            .slice(eq + 1)
            .trim()
            .replace(/\\/g, '/');
    const refuse = (problem: string): never => {
      throw new InputError(input, value, allowed, {
        message: `Input '${input}' must be ${allowed}; ${problem}, got '${line}'`,
      });
    };
    if (eq < 0 || pattern === '') refuse("each line needs 'type=path'");
    if (!ARTIFACT_TYPE.test(type))
      refuse('the type must be 1 to 32 letters, digits, dots, dashes or underscores');
    if (pattern.startsWith('/') || /^[A-Za-z]:/.test(pattern))
      refuse('the path must be relative to the workspace');
    if (pattern.split('/').includes('..')) refuse("the path must stay inside the workspace (no '..')");
    if (specs.some((s) => s.type === type)) {
      refuse(`the type '${type}' appears twice (one file per artifact type and version)`);
    }
    specs.push({ type, pattern });
  }
  return specs;
}
