import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES, MONITORING } from '../../../lambdas/platform/system-config';
import { operationsMetrics as metrics } from './operations-metrics';
import { alarmDescription, RUNBOOK_SECTIONS as runbooks, type RunbookSection } from './runbooks';

export interface EmailVerificationAlarmsProps {
  readonly topic: ITopic;
  readonly runbookBaseUrl: string;
  /** The inbound-mail Lambda's failure queue (InboundMail.undelivered). */
  readonly undeliveredMail: IQueue;
}

interface Spec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly what: string;
  readonly todo: string;
  readonly runbook: RunbookSection;
}

/**
 * Directory accounts and email verification, beyond the inbound-mail Lambda's own errors and
 * throttles (OperationsAlarms watches those like every function's): waits that ran out, mail that
 * matched nothing, and mail events the function gave up on. Same shape as OperationsAlarms: name
 * prefix, ALARM and OK to the topic, a description that says what to do and links its runbook section.
 *
 * The two EMF alarms sum over an hour (MONITORING.directoryAccounts.periodSeconds), not the usual five
 * minutes. Both count events that come in bursts (the sweeper expires every overdue wait in one run; a
 * spam run or a directory's changed mail arrives over minutes): an hour gives one notification per
 * burst instead of ALARM and OK every five minutes, and an hour of quiet is when it is over.
 */
export class EmailVerificationAlarms extends Construct {
  readonly alarms = new Map<string, Alarm>();

  constructor(scope: Construct, id: string, props: EmailVerificationAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const limits = MONITORING.directoryAccounts;
    const hour = Duration.seconds(limits.periodSeconds);

    const specs: Record<string, Spec> = {
      // Any one: each is a listing that stopped and waits for a human (needs_manual).
      'verification-timed-out': {
        metric: metrics.emf(METRIC_NAMES.verificationTimedOut, Stats.SUM, hour),
        threshold: limits.maxVerificationTimedOutPerHour,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        what: "Tasks waited for a directory's verification mail past their deadline and now need a human (needs_manual).",
        todo: 'Find the timed-out tasks and whether their mail came (inbound_mail); finish those sign-ups by hand, then resubmit the listings.',
        runbook: runbooks.verificationTimedOut,
      },
      // A few are normal (spam, strays, a directory's second mail); a burst means matching broke.
      'unmatched-mail': {
        metric: metrics.emf(METRIC_NAMES.unmatchedMail, Stats.SUM, hour),
        threshold: limits.minUnmatchedMailPerHour,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        what: `${limits.minUnmatchedMailPerHour} or more received mails in an hour matched no waiting sign-up.`,
        todo: 'Group inbound_mail by outcome, reason and sender domain: a spam run is left to expire; a directory whose mail stopped matching needs its hosts or our parser fixed.',
        runbook: runbooks.unmatchedMail,
      },
      'inbound-mail-undelivered': {
        metric: metrics.queueDepth(props.undeliveredMail),
        threshold: limits.maxUndeliveredMail,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        what: 'The inbound-mail Lambda failed received mail after its retries: those mails are not recorded and their tasks still wait.',
        todo: 'Read the failure queue (its error) and the function logs; fix the cause, then invoke the function again with each message\u2019s requestPayload.',
        runbook: runbooks.inboundMailFailing,
      },
    };

    for (const [name, spec] of Object.entries(specs)) {
      const alarm = new Alarm(this, name, {
        alarmName: `${MONITORING.alarmNamePrefix}-${name}`,
        alarmDescription: alarmDescription(spec, props.runbookBaseUrl, spec.runbook),
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: 1,
        // No metric means no timed-out wait, no unmatched mail: good news.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.set(name, alarm);
    }
  }
}
