import { sharedFor } from '../../../lambdas/operations/health';

/** sharedFor: how GET /health keeps a flood of requests from becoming a flood of dependency checks. */
function countingCheck() {
  let runs = 0;
  let release: (value: string) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const check = () =>
    new Promise<string>((resolve, reject) => {
      runs += 1;
      release = resolve;
      fail = reject;
    });
  return { check, runs: () => runs, release: (v: string) => release(v), fail: (e: Error) => fail(e) };
}

it('lets concurrent callers share one run, reuses its result for the given time, then runs again', async () => {
  let clock = 1_000;
  const probe = countingCheck();
  const shared = sharedFor(probe.check, 2_000, () => clock);

  const concurrent = [shared(), shared(), shared()];
  probe.release('first');
  expect(await Promise.all(concurrent)).toEqual(['first', 'first', 'first']);
  clock += 1_999;
  const reused = await shared();
  clock += 1;
  const again = shared();
  probe.release('second');

  expect(reused).toBe('first');
  expect(await again).toBe('second');
  expect(probe.runs()).toBe(2);
});

it('does not keep a failed run: the next caller checks again', async () => {
  const probe = countingCheck();
  const shared = sharedFor(probe.check, 60_000, () => 0);

  const failing = shared();
  probe.fail(new Error('down'));
  await expect(failing).rejects.toThrow('down');
  const next = shared();
  probe.release('up');

  expect(await next).toBe('up');
  expect(probe.runs()).toBe(2);
});
