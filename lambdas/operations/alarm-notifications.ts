import * as z from '../platform/zod';
import type { SlackMessage } from './slack';
import { MONITORING } from '../platform/system-config';
import { runbookUrl, type OpsLinks } from './links';

/** The JSON CloudWatch publishes to SNS on an alarm state change (the fields used here). */
const alarmNotificationSchema = z.object({
  AlarmName: z.string().check(z.minLength(1)),
  AlarmDescription: z.nullish(z.string()),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  OldStateValue: z.nullish(z.string()),
  NewStateReason: z.nullish(z.string()),
  StateChangeTime: z.nullish(z.string()),
  Region: z.nullish(z.string()),
  AWSAccountId: z.nullish(z.string()),
  AlarmArn: z.nullish(z.string()),
  Trigger: z.nullish(
    z.looseObject({
      MetricName: z.nullish(z.string()),
      Namespace: z.nullish(z.string()),
      Threshold: z.nullish(z.number()),
      ComparisonOperator: z.nullish(z.string()),
    }),
  ),
});

export type AlarmNotification = z.infer<typeof alarmNotificationSchema>;

/** The SNS message as an alarm, or null when it is something else (a test publish, a subscription note). */
export function parseAlarmNotification(message: string): AlarmNotification | null {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return null;
  }
  const parsed = alarmNotificationSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Critical/Warning from the alarm's name or description (cdk-monitoring-constructs style), else by state. */
export function severityOf(alarm: AlarmNotification): 'Critical' | 'Warning' | 'Info' {
  const text = `${alarm.AlarmName} ${alarm.AlarmDescription ?? ''}`;
  if (/critical/i.test(text)) return 'Critical';
  if (/warning/i.test(text)) return 'Warning';
  return alarm.NewStateValue === 'ALARM' ? 'Critical' : 'Info';
}

/** The runbook section an alarm's description links (with its #anchor), else the general runbook. */
function runbookFor(alarm: AlarmNotification, links: OpsLinks): string {
  const linked = /(https?:\/\/\S+\.md(?:#[\w-]+)?)/.exec(alarm.AlarmDescription ?? '');
  return linked?.[1] ?? runbookUrl(links, MONITORING.runbooks.slackAlerts);
}

/** An alarm state change as a Slack message readable at a glance: what, how bad, since when, where to look. */
export function alarmMessage(alarm: AlarmNotification, links: OpsLinks): SlackMessage {
  const firing = alarm.NewStateValue === 'ALARM';
  const severity = severityOf(alarm);
  const icon = firing
    ? severity === 'Warning'
      ? ':warning:'
      : ':red_circle:'
    : alarm.NewStateValue === 'OK'
      ? ':large_green_circle:'
      : ':grey_question:';
  const headline = firing
    ? `${icon} ${severity}: ${alarm.AlarmName} is in ALARM`
    : alarm.NewStateValue === 'OK'
      ? `${icon} Resolved: ${alarm.AlarmName} is back to OK`
      : `${icon} ${alarm.AlarmName} has insufficient data`;
  const since = alarm.StateChangeTime ? new Date(alarm.StateChangeTime) : undefined;
  const sinceText =
    since && !Number.isNaN(since.getTime()) ? since.toISOString().replace('.000', '') : 'unknown';
  const trigger = alarm.Trigger;
  const metric = trigger?.MetricName
    ? `${trigger.Namespace ?? ''} ${trigger.MetricName} ${trigger.ComparisonOperator ?? ''} ${trigger.Threshold ?? ''}`.trim()
    : undefined;
  const lines = [
    alarm.AlarmDescription ? `*What:* ${alarm.AlarmDescription}` : undefined,
    `*State:* ${alarm.OldStateValue ?? '?'} → ${alarm.NewStateValue} since ${sinceText}`,
    alarm.NewStateReason ? `*Why:* ${alarm.NewStateReason}` : undefined,
    metric ? `*Metric:* ${metric}` : undefined,
    alarm.Region || alarm.AWSAccountId
      ? `*Where:* ${alarm.AWSAccountId ?? '?'} / ${alarm.Region ?? '?'}`
      : undefined,
  ].filter((line): line is string => line !== undefined);
  const linkLine = [
    `<${runbookFor(alarm, links)}|Runbook>`,
    links.dashboardUrl && `<${links.dashboardUrl}|Dashboard>`,
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    text: headline,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${headline}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: linkLine }] },
    ],
  };
}

/** Anything else that reaches the alarm topic is still shown, so nothing sent there is silently lost. */
export function otherNotificationMessage(
  subject: string | undefined,
  message: string,
  links: OpsLinks,
): SlackMessage {
  const excerpt = message.length > 500 ? `${message.slice(0, 500)}…` : message;
  return {
    text: `:information_source: ${subject ?? 'Notification on the alarm topic'}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${subject ?? 'Notification on the alarm topic'}*` },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '```' + excerpt.replace(/```/g, "'''") + '```' } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `<${runbookUrl(links, MONITORING.runbooks.slackAlerts)}|Runbook>` },
        ],
      },
    ],
  };
}
