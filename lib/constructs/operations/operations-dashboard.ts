import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IWidget,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES, MONITORING, PRIORITIES, type Priority } from '../../../lambdas/platform/system-config';
import { operationsMetrics as metrics } from './operations-metrics';

export interface OperationsDashboardProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly deadLetterQueue: IQueue;
  readonly submitter: IFunction;
  /** Every function, for the concurrency graph, by a short name. */
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly apiStage: Stage;
  readonly alarms: readonly Alarm[];
  readonly runbookBaseUrl: string;
}

const WIDTH = 24;

/**
 * The one dashboard on-call opens: alarms first, then the queues per priority and the DLQ, what the
 * submitter achieves, the self-healing jobs, the API, Lambda concurrency, and directory accounts
 * (verification waits and received mail).
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  /** The dashboard's console address in the stack's region, for Slack messages and alerts. */
  static urlIn(region: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${MONITORING.dashboardName}`;
  }

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: MONITORING.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: GraphWidget['props']['left'], width = WIDTH / 3, extra = {}) =>
      new GraphWidget({ title, left, width, height: 6, ...extra });

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# DirectoryBolt operations\nRunbooks: ${Object.values(MONITORING.runbooks)
            .map((name) => `[${name}](${props.runbookBaseUrl}/${name}.md)`)
            .join(' · ')}`,
          width: WIDTH,
          height: 2,
        }),
      ],
      [new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH, height: 4 })],
      [
        graph(
          'Queue depth per priority',
          PRIORITIES.map((p) => metrics.queueDepth(props.queues[p]).with({ label: p })),
        ),
        graph(
          'Oldest message age per priority (s)',
          PRIORITIES.map((p) => metrics.queueOldestMessageAge(props.queues[p]).with({ label: p })),
        ),
        graph(
          'Time to drain per priority (s)',
          PRIORITIES.map((p) => metrics.queueTimeToDrain(props.queues[p], p).with({ label: p })),
        ),
      ],
      [
        graph('DLQ', [metrics.queueDepth(props.deadLetterQueue).with({ label: 'messages' })], WIDTH / 3, {
          right: [metrics.queueOldestMessageAge(props.deadLetterQueue).with({ label: 'oldest (s)' })],
        }),
        graph(
          'Submissions by outcome',
          (
            [
              ['submitted', METRIC_NAMES.taskSubmitted],
              ['needs manual', METRIC_NAMES.taskNeedsManual],
              ['failed', METRIC_NAMES.taskFailed],
              ['retry scheduled', METRIC_NAMES.taskRetryScheduled],
              ['error', METRIC_NAMES.taskError],
              ['skipped (duplicate)', METRIC_NAMES.taskSkipped],
              ['lease lost', METRIC_NAMES.taskLeaseLost],
              ['deferred (directory paused or rate limited)', METRIC_NAMES.taskDeferred],
              ['awaiting verification mail', METRIC_NAMES.taskAwaitingVerification],
            ] as const
          ).map(([label, name]) => metrics.emf(name).with({ label })),
          WIDTH / 3,
          { stacked: true },
        ),
        graph('Submitter error rate (%)', [metrics.submitterErrorRate()], WIDTH / 3, {
          leftAnnotations: [{ value: MONITORING.submitter.maxErrorRatePercent, label: 'alarm' }],
        }),
      ],
      [
        // One submitter invocation handles one batch; its duration is the submissions' wall time.
        graph('Submission (batch) duration (ms)', [
          metrics.lambdaDuration(props.submitter, Stats.p(50)).with({ label: 'p50' }),
          metrics.lambdaDuration(props.submitter, Stats.p(99)).with({ label: 'p99' }),
        ]),
        graph('Stale-task recoveries', [
          metrics.emf(METRIC_NAMES.staleTasksRequeued).with({ label: 'requeued' }),
          metrics.emf(METRIC_NAMES.staleTasksFailed).with({ label: 'failed (budget spent)' }),
          metrics.emf(METRIC_NAMES.staleTasksNeedVerification).with({ label: 'to verification' }),
          metrics.emf(METRIC_NAMES.staleTasksSendFailed).with({ label: 'resend failed' }),
          metrics.emf(METRIC_NAMES.staleWorkers).with({ label: 'stale workers' }),
        ]),
        graph('Self-healing runs and DLQ alerts', [
          metrics.emf(METRIC_NAMES.sweeperRun).with({ label: 'sweeper runs' }),
          metrics.emf(METRIC_NAMES.dlqMonitorRun).with({ label: 'DLQ monitor runs' }),
          metrics.emf(METRIC_NAMES.retentionRun).with({ label: 'retention runs' }),
          metrics.emf(METRIC_NAMES.dlqMessagesRecorded).with({ label: 'dead letters recorded' }),
          metrics.emf(METRIC_NAMES.dlqAlertsSent).with({ label: 'DLQ alerts sent' }),
          metrics.emf(METRIC_NAMES.dlqAlertsFailed).with({ label: 'DLQ alerts failed (retried)' }),
          metrics.emf(METRIC_NAMES.slackNotifyFailed).with({ label: 'alarm notifications failed' }),
        ]),
      ],
      [
        graph('API requests and errors', [
          metrics.apiCount(props.apiStage).with({ label: 'requests' }),
          metrics.api4xx(props.apiStage).with({ label: '4xx' }),
          metrics.api5xx(props.apiStage).with({ label: '5xx' }),
        ]),
        graph('API latency (ms)', [
          metrics.apiLatency(props.apiStage, Stats.p(50)).with({ label: 'p50' }),
          metrics.apiLatency(props.apiStage, Stats.p(99)).with({ label: 'p99' }),
        ]),
        graph(
          'Lambda concurrency (max)',
          [...props.functions].map(([name, fn]) => metrics.lambdaConcurrency(fn).with({ label: name })),
        ),
      ],
      [new TextWidget({ markdown: '## Directory accounts', width: WIDTH, height: 1 })],
      [
        // A gauge the sweeper reports each run: the most waiting in the period, not a sum of reports.
        graph(
          'Tasks awaiting verification (max)',
          [metrics.emf(METRIC_NAMES.tasksAwaitingVerification, Stats.MAXIMUM).with({ label: 'waiting' })],
          WIDTH / 4,
        ),
        graph(
          'Verification timed out',
          [metrics.emf(METRIC_NAMES.verificationTimedOut).with({ label: 'to a human (needs_manual)' })],
          WIDTH / 4,
        ),
        graph(
          'Inbound mail vs unmatched',
          [
            metrics.emf(METRIC_NAMES.inboundMail).with({ label: 'received' }),
            metrics.emf(METRIC_NAMES.unmatchedMail).with({ label: 'unmatched or rejected' }),
          ],
          WIDTH / 4,
        ),
        graph(
          'Verification links recorded',
          [metrics.emf(METRIC_NAMES.verificationLinkRecorded).with({ label: 'links' })],
          WIDTH / 4,
        ),
      ],
    ];
    for (const row of rows) this.dashboard.addWidgets(...row);
  }
}
