import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { MONITORING, PRIORITIES, type Priority } from '../../../lambdas/platform/system-config';
import { taskQueueUrlVariable } from '../../../lambdas/tasks/task-queues';

export interface HealthDetailsAccessProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly deadLetterQueue: IQueue;
}

/**
 * What GET /health/details reads, granted together with the variables that point it there: each queue's
 * attributes (depth, in flight), and the alarms' states and the queues' oldest-message ages from
 * CloudWatch. Read-only throughout; nothing here can change a queue or an alarm.
 */
export class HealthDetailsAccess {
  /** What GET /health reads: whether each task queue answers (its attributes), nothing more. */
  static bindQueueStatus(fn: LambdaFunction, queues: Readonly<Record<Priority, IQueue>>): void {
    for (const priority of PRIORITIES) {
      const queue = queues[priority];
      fn.addEnvironment(taskQueueUrlVariable(priority), queue.queueUrl);
      queue.grant(fn, 'sqs:GetQueueAttributes');
    }
  }

  static bind(fn: LambdaFunction, props: HealthDetailsAccessProps): void {
    HealthDetailsAccess.bindQueueStatus(fn, props.queues);
    fn.addEnvironment('DLQ_URL', props.deadLetterQueue.queueUrl);
    props.deadLetterQueue.grant(fn, 'sqs:GetQueueAttributes');

    // The handler asks CloudWatch only when this is set (locally it reports "unavailable").
    fn.addEnvironment('ALARM_NAME_PREFIX', `${MONITORING.alarmNamePrefix}-`);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs it for X-Ray, and health details reads alarm states and queue metrics: cloudwatch:GetMetricData has no resource-level permissions and DescribeAlarms by name prefix is a list call. Both are read-only.',
    });
  }
}
