import { main, type Io } from '@shiftgate/cli';

/** Runs the CLI in-process and captures what a person would see. */
export async function cli(argv: string[], options: Partial<Io> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTty: false,
    env: {},
    cwd: process.cwd(),
    ...options,
  });
  return { code, stdout, stderr };
}
