import { requireEnv } from '../shared/env';
import type { Priority } from '../shared/system-config';

/** The task queue URLs the stacks give every route that enqueues (routes.ts `enqueues`). Read at load. */
export function taskQueueUrlsFromEnv(): Record<Priority, string> {
  return {
    p1: requireEnv('TASK_QUEUE_URL_P1'),
    p2: requireEnv('TASK_QUEUE_URL_P2'),
    p3: requireEnv('TASK_QUEUE_URL_P3'),
  };
}
