import { fullJitterDelaySeconds } from '../../../lambdas/tasks/backoff';

const policy = { baseSeconds: 30, capSeconds: 900 };

it('draws from [0, base * 2^(attempt-1)], so the ceiling doubles with each attempt', () => {
  expect(fullJitterDelaySeconds(1, policy, () => 0.999)).toBe(30);
  expect(fullJitterDelaySeconds(2, policy, () => 0.999)).toBe(60);
  expect(fullJitterDelaySeconds(3, policy, () => 0.999)).toBe(120);
  expect(fullJitterDelaySeconds(3, policy, () => 0)).toBe(0);
  expect(fullJitterDelaySeconds(3, policy, () => 0.5)).toBe(60);
});

it('never exceeds the cap', () => {
  expect(fullJitterDelaySeconds(20, policy, () => 0.999)).toBe(900);
});

it('spreads retries: many tasks failing together do not all come back at once', () => {
  const delays = new Set(Array.from({ length: 200 }, () => fullJitterDelaySeconds(4, policy)));
  expect(delays.size).toBeGreaterThan(50);
  for (const delay of delays) {
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(240);
  }
});

it('refuses an attempt that is not a positive integer', () => {
  expect(() => fullJitterDelaySeconds(0, policy)).toThrow(RangeError);
  expect(() => fullJitterDelaySeconds(1.5, policy)).toThrow('attempt must be a positive integer');
});
