import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ScheduledRunProps {
  readonly function: LambdaFn;
  readonly intervalSeconds: number;
  readonly description: string;
  /**
   * Whether Lambda retries a failed run. No for frequent jobs: the next run is the retry, and a retry
   * would only overlap it. Yes for daily ones, which would otherwise wait a day.
   */
  readonly retryFailedRun: boolean;
  /**
   * Where EventBridge puts a run it could not deliver to the function after its retries (Lambda
   * throttled or unavailable, the function deleted): a missed run leaves a message, and an alarm.
   */
  readonly deadLetterQueue: IQueue;
}

/** An EventBridge rule invoking a function at a fixed rate, with a retry policy and a dead-letter queue. */
export class ScheduledRun extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ScheduledRunProps) {
    super(scope, id);
    const interval = Duration.seconds(props.intervalSeconds);
    // A run that could not start before the next one is due is stale: drop it rather than pile up.
    // (Within each service's bounds: Lambda keeps async events 60 s to 6 h, EventBridge 60 s to 24 h.)
    const staleAfter = (maxSeconds: number) =>
      Duration.seconds(Math.min(Math.max(interval.toSeconds(), 60), maxSeconds));
    props.function.configureAsyncInvoke({
      retryAttempts: props.retryFailedRun ? 2 : 0,
      maxEventAge: staleAfter(6 * 3600),
    });
    this.rule = new Rule(this, 'Rule', {
      description: props.description,
      schedule: Schedule.rate(interval),
      targets: [
        new LambdaFunction(props.function, {
          retryAttempts: 2,
          maxEventAge: staleAfter(24 * 3600),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
  }
}
