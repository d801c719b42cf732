import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PRIORITIES, type Priority, QUEUES } from '../../../lambdas/platform/system-config';

/**
 * One standard queue per priority (FIFO message groups would not give priority), all redriving to one
 * dead-letter queue after QUEUES.maxReceiveCount receives.
 *
 * Encryption is SQS-managed (SSE-SQS), not a customer-managed KMS key: messages carry only ids, no
 * personal data; SSE-SQS costs nothing per message and needs no kms:Decrypt grants for the submitter
 * or kms:GenerateDataKey for the API (nor a key policy that would tie the stacks together). A CMK
 * would be the choice for cross-account access or key-usage audit, neither of which applies.
 */
export class TaskQueues extends Construct {
  readonly queues: Readonly<Record<Priority, Queue>>;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetter', {
      queueName: QUEUES.dlq.name,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(QUEUES.dlqRetentionPeriodSeconds),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue itself: the DLQ monitor alerts on and redrives its messages.',
    });

    const queues = {} as Record<Priority, Queue>;
    for (const priority of PRIORITIES) {
      queues[priority] = new Queue(this, `Tasks${priority.toUpperCase()}`, {
        queueName: QUEUES.tasks[priority].name,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(QUEUES.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(QUEUES.retentionPeriodSeconds),
        receiveMessageWaitTime: Duration.seconds(QUEUES.receiveWaitTimeSeconds),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUES.maxReceiveCount },
      });
    }
    this.queues = queues;
  }
}
