import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TaskQueues } from '../constructs/task-queues';

/** The task queues and their DLQ: long-lived, so deployed apart from the code that uses them. */
export class QueueStack extends Stack {
  readonly taskQueues: TaskQueues;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.taskQueues = new TaskQueues(this, 'TaskQueues');
  }
}
