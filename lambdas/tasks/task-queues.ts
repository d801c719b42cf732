import { requireEnv } from '../platform/env';
import { PRIORITIES, type Priority } from '../platform/system-config';

/** The environment variable that carries a priority's task queue URL (TASK_QUEUE_URL_P1, ...). */
export const taskQueueUrlVariable = (priority: Priority): string =>
  `TASK_QUEUE_URL_${priority.toUpperCase()}`;

/**
 * The task queue URLs, one per priority, read once at load: the one reader of what the stacks set
 * (taskQueueUrlVariable) on every function that sends or inspects task messages (routes.ts
 * `enqueues`, the submitter, the sweeper, the health checks, the redrive). A missing one fails at start.
 */
export function taskQueueUrlsFromEnv(): Record<Priority, string> {
  return Object.fromEntries(
    PRIORITIES.map((priority) => [priority, requireEnv(taskQueueUrlVariable(priority))]),
  ) as Record<Priority, string>;
}
