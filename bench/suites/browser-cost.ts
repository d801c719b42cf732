import { chromium } from 'playwright-core';
import { BrowserManager, chromiumArgs, sparticuzExecutablePath } from '../../lambdas/browser/browser';
import { fillAndSubmit } from '../../lambdas/form-filling/fill-flow';
import { startDemoSite } from '../../local/demo-site/server';
import { round, since, speedup, summarize } from '../lib/stats';
import type { Suite } from '../lib/suite';
import { BENCH_PROFILE } from './profile';

/**
 * 1a. Cost of one submission: the old system launched a browser per submission; we keep one warm
 * browser per execution environment and open a fresh context per submission.
 */
export const browserCost: Suite = {
  name: 'browser-cost',
  async run({ quick }) {
    const submissions = quick ? 6 : 24;
    const site = await startDemoSite();
    const executablePath = await sparticuzExecutablePath();
    const url = `${site.url}/forms/plain`;
    try {
      // Baseline: a browser launched (and closed) for every submission.
      const launchPerSubmission: number[] = [];
      for (let i = 0; i < submissions; i += 1) {
        const start = performance.now();
        const browser = await chromium.launch({ executablePath, args: chromiumArgs(), headless: true });
        const page = await browser.newPage();
        await fillAndSubmit(page, { url, profile: BENCH_PROFILE });
        await browser.close();
        launchPerSubmission.push(since(start));
      }

      // Ours: one warm browser, a fresh context per submission.
      const manager = new BrowserManager({ resolveExecutablePath: async () => executablePath });
      await manager.withContext(async () => undefined); // warm up: the first launch is the cold start
      const warmContext: number[] = [];
      for (let i = 0; i < submissions; i += 1) {
        const start = performance.now();
        await manager.withContext(async (context) => {
          const page = await context.newPage();
          await fillAndSubmit(page, { url, profile: BENCH_PROFILE });
        });
        warmContext.push(since(start));
      }
      await manager.close();

      const baseline = summarize(launchPerSubmission);
      const ours = summarize(warmContext);
      return {
        title: 'Submission cost: warm browser + fresh context vs a browser launched per submission',
        method: `${submissions} sequential submissions of the demo site's plain form each way, same Chromium (@sparticuz/chromium), same filler.`,
        columns: ['way', 'mean ms', 'p50 ms', 'p99 ms'],
        rows: [
          [
            'browser launched per submission (old system)',
            round(baseline.mean),
            round(baseline.p50),
            round(baseline.p99),
          ],
          ['warm browser, fresh context (ours)', round(ours.mean), round(ours.p50), round(ours.p99)],
          ['speed-up (mean)', speedup(baseline.mean, ours.mean), '', ''],
        ],
        figures: {
          launchPerSubmissionMs: baseline.mean,
          warmContextMs: ours.mean,
          speedup: baseline.mean / ours.mean,
        },
      };
    } finally {
      await site.stop();
    }
  },
};
