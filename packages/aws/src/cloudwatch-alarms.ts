// CloudWatch alarms as the health judge reads them: one DescribeAlarms call per poll.
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { InputError, type AlarmSource, type AlarmState } from '@shiftgate/core';
import { describeAwsError } from './cloudwatch';

/** Reads alarm states with one `DescribeAlarms` call per poll (following `NextToken`). */
export class CloudWatchAlarmSource implements AlarmSource {
  constructor(private readonly client: CloudWatchClient) {}

  async states(names: readonly string[]): Promise<Record<string, AlarmState>> {
    if (names.length === 0) return {};
    if (names.length > 100) throw new InputError('alarms', names.join(','), 'at most 100 alarm names');
    const found = new Map<string, AlarmState>();
    let token: string | undefined;
    let pages = 0;
    do {
      let page;
      try {
        page = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: [...names],
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(token ? { NextToken: token } : {}),
          }),
        );
      } catch (error) {
        throw new Error(`DescribeAlarms for ${names.join(', ')} failed: ${describeAwsError(error)}`);
      }
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName && alarm.StateValue) found.set(alarm.AlarmName, alarm.StateValue as AlarmState);
      }
      token = page.NextToken;
      if (++pages > 100) throw new Error('DescribeAlarms kept returning NextToken after 100 pages');
    } while (token);
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0) {
      throw new InputError(
        'alarms',
        missing.join(', '),
        'names of existing CloudWatch alarms (metric or composite) in this account and region',
        {
          message: `Input 'alarms' must name existing CloudWatch alarms in this account and region; not found: ${missing.map((m) => `'${m}'`).join(', ')}`,
        },
      );
    }
    return Object.fromEntries(names.map((n) => [n, found.get(n)!]));
  }
}
