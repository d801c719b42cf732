import type { Suite } from '../lib/suite';
import { apiLatency } from './api-latency';
import { browserCost } from './browser-cost';
import { claims } from './claims';
import { coldStart } from './cold-start';
import { enqueue } from './enqueue';
import { forms } from './forms';
import { recovery } from './recovery';
import { roundTrips } from './round-trips';
import { soak } from './soak';
import { throughput } from './throughput';

/** Every suite, in the order `npm run bench` runs them. */
export const SUITES: Suite[] = [
  browserCost,
  forms,
  throughput,
  apiLatency,
  enqueue,
  claims,
  recovery,
  coldStart,
  roundTrips,
  soak,
];
