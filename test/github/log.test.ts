import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionsLogger, log, safeLogText } from '@shiftgate/github';

describe('safeLogText', () => {
  it.each([
    [
      'ordinary text stays as it is',
      'Step 2/5: shift to 25% (verified)',
      'Step 2/5: shift to 25% (verified)',
    ],
    ['a workflow command at the start', '::add-mask::secret', ': :add-mask::secret'],
    [
      'a workflow command after spaces the runner trims',
      '   ::set-output name=x::1',
      '   : :set-output name=x::1',
    ],
    ['a workflow command on a later line', 'reason\n::error::forged', 'reason\n: :error::forged'],
    [
      'a workflow command after a carriage return',
      'reason\r::stop-commands::tok',
      'reason\n: :stop-commands::tok',
    ],
    ['the older ##[ form anywhere', 'x ##[set-env name=A]1', 'x ## [set-env name=A]1'],
    ['ESC (ANSI colours)', 'red \u001b[31mALERT\u001b[0m', 'red \\x1b[31mALERT\\x1b[0m'],
    ['BEL and NUL', 'a\u0007b\u0000c', 'a\\x07b\\x00c'],
    ['C1 controls, including CSI', 'a\u009bb\u0085c', 'a\\x9bb\\x85c'],
    ['DEL', 'a\u007fb', 'a\\x7fb'],
    ['bidi overrides', 'user\u202eexe.txt', 'user\\u202eexe.txt'],
    ['bidi isolates', '\u2066a\u2067b\u2068c\u2069', '\\u2066a\\u2067b\\u2068c\\u2069'],
    ['embeddings', '\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
    ['tabs and a colon inside a line', 'key:\tvalue :: not a command', 'key:\tvalue :: not a command'],
  ])('neutralises %s', (_, input, expected) => {
    expect(safeLogText(input)).toBe(expected);
  });

  it('leaves no line that the runner would read as a command', () => {
    const hostile = ['::warning::x', ' \t::group::y', 'ok', '\u001b]0;title\u0007', '::endgroup::'].join(
      '\n',
    );
    for (const line of safeLogText(hostile).split('\n')) {
      expect(line.trimStart().startsWith('::')).toBe(false);
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });
});

describe('the log channels', () => {
  let out = '';
  afterEach(() => {
    vi.restoreAllMocks();
    out = '';
  });
  function capture() {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    });
  }

  it('writes every message through the writer', async () => {
    capture();
    log.info('info\n::error::forged');
    actionsLogger.info('core says ::x\n::warning::y');
    log.notice('notice \u001b[2J');
    await log.group('::group::nested', async () => {});
    expect(out).not.toMatch(/^::error::forged|^::warning::y/m);
    expect(out).toContain('info\n: :error::forged');
    expect(out).toContain('::notice::notice \\x1b[2J');
    expect(out).toContain('::group::: :group::nested');
  });
});
