import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SNSEvent } from 'aws-lambda';
import {
  alarmMessage,
  otherNotificationMessage,
  parseAlarmNotification,
} from '../../operations/alarm-notifications';
import { optionalEnv } from '../../platform/env';
import { invokedHandler } from '../../platform/lambda-handler';
import { logger, metrics } from '../../platform/powertools';
import { slackWebhookFromEnv } from '../../operations/slack';
import { METRIC_NAMES } from '../../platform/system-config';

const postToSlack = slackWebhookFromEnv();
const links = { runbookBaseUrl: optionalEnv('RUNBOOK_BASE_URL'), dashboardUrl: optionalEnv('DASHBOARD_URL') };

/**
 * CloudWatch alarm state changes (ALARM and back to OK) from the alarm SNS topic, to Slack.
 * A failed post throws: SNS invokes Lambda asynchronously, so Lambda retries and then hands the event
 * to the function's failure destination, and the Errors alarm on this function fires (stacks). The
 * error logged names the alarm and Slack's answer, never the webhook URL.
 */
const notify = async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records) {
    const alarm = parseAlarmNotification(record.Sns.Message);
    const message = alarm
      ? alarmMessage(alarm, links)
      : otherNotificationMessage(record.Sns.Subject ?? undefined, record.Sns.Message, links);
    try {
      await postToSlack(message);
    } catch (error) {
      metrics.addMetric(METRIC_NAMES.slackNotifyFailed, MetricUnit.Count, 1);
      logger.error('Alarm notification not delivered to Slack', {
        alarm: alarm?.AlarmName,
        state: alarm?.NewStateValue,
        sns_message_id: record.Sns.MessageId,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    metrics.addMetric(METRIC_NAMES.slackNotified, MetricUnit.Count, 1);
    logger.info('Alarm notification delivered', { alarm: alarm?.AlarmName, state: alarm?.NewStateValue });
  }
};

export const handler = invokedHandler(notify);
