import { afterEach, describe, expect, it } from 'vitest';
import {
  CONNECTION_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  createCloudWatchClient,
  createElbv2Client,
  parseRetryMode,
} from '@shiftgate/aws';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('the AWS client factory', () => {
  it('takes the region from the input, then AWS_REGION, then AWS_DEFAULT_REGION', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_DEFAULT_REGION = 'us-west-2';
    expect(await createElbv2Client({ caller: 't', region: 'ap-south-1' }).config.region()).toBe('ap-south-1');
    expect(await createElbv2Client({ caller: 't' }).config.region()).toBe('eu-west-1');
    delete process.env.AWS_REGION;
    expect(await createCloudWatchClient({ caller: 't' }).config.region()).toBe('us-west-2');
  });

  it('sets the retry mode, attempts and the caller in the user agent', async () => {
    const client = createElbv2Client({
      caller: 'shift-traffic',
      region: 'us-east-1',
      retryMode: 'adaptive',
      maxAttempts: 7,
    });
    expect(client.config.retryMode).toBe('adaptive');
    expect(await client.config.maxAttempts()).toBe(7);
    expect(client.config.customUserAgent).toEqual([
      ['shiftgate', '0.1.0'],
      ['md/action', 'shift-traffic'],
    ]);
  });

  it('bounds connecting and each request so a hung endpoint cannot hang a step', async () => {
    const handler = createCloudWatchClient({ caller: 't', region: 'us-east-1' }).config
      .requestHandler as unknown as {
      configProvider: Promise<{
        connectionTimeout: number;
        requestTimeout: number;
        throwOnRequestTimeout: boolean;
      }>;
    };
    expect(await handler.configProvider).toMatchObject({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
  });

  it('parses retry-mode', () => {
    expect(parseRetryMode('retry-mode', 'adaptive')).toBe('adaptive');
    expect(() => parseRetryMode('retry-mode', 'legacy')).toThrow(
      "Input 'retry-mode' must be 'standard' or 'adaptive', got 'legacy'",
    );
  });
});
