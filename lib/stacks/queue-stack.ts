import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PRIORITIES } from '../../lambdas/platform/system-config';
import { TaskQueues } from '../constructs/tasks/task-queues';
import { RUNBOOK_OUTPUTS } from './runbook-outputs';

/** The task queues and their DLQ: long-lived, so deployed apart from the code that uses them. */
export class QueueStack extends Stack {
  readonly taskQueues: TaskQueues;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.taskQueues = new TaskQueues(this, 'TaskQueues');

    // What the runbooks tell on-call to read (RUNBOOK_OUTPUTS).
    const outputs = RUNBOOK_OUTPUTS.queues;
    for (const priority of PRIORITIES) {
      new CfnOutput(this, outputs.taskQueueUrl(priority), {
        value: this.taskQueues.queues[priority].queueUrl,
        description: `The ${priority} task queue`,
      });
    }
    new CfnOutput(this, outputs.deadLetterQueueUrl, {
      value: this.taskQueues.deadLetterQueue.queueUrl,
      description: 'The task queues\u2019 dead-letter queue (the DLQ monitor reads and empties it)',
    });
  }
}
