import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderChart } from './lib/chart';
import { describeMachine } from './lib/machine';
import type { SuiteResult } from './lib/suite';
import { SUITES } from './suites';
import { costFromFigures } from './suites/cost';

/**
 * `npm run bench` (full) or `npm run bench -- --quick` (smoke run), optionally `--only a,b`, and
 * `--soak` to add the load-and-soak suite (about an hour in full mode, a few minutes quick).
 * Runs each suite in turn (never in parallel: they would measure each other) and writes
 * bench/RESULTS.md, bench/results.json and bench/chart.svg. Suites not run this time keep their last
 * results (each section says when, at which commit and by which command it was measured), so
 * `--only x` refreshes one section; a quick run never mixes with full results.
 */
/** The soak runs for tens of minutes in full mode: only with --soak or --only soak. */
const OPT_IN = new Set(['soak']);
const OUT_DIR = import.meta.dirname;
const OUTPUT_FILES = ['RESULTS.md', 'results.json', 'chart.svg'];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? '').split(',')) : undefined;
  const unknown = only
    ? [...only].filter((name) => name !== 'cost' && !SUITES.some((s) => s.name === name))
    : [];
  if (unknown.length > 0) throw new Error(`Unknown suite(s): ${unknown.join(', ')}`);

  const machine = describeMachine();
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const provenance = { measuredAt: machine.date!, commit: currentCommit(), command };
  const suites = await previousResults(quick);
  for (const suite of SUITES) {
    if (only ? !only.has(suite.name) : OPT_IN.has(suite.name) && !args.includes('--soak')) continue;
    process.stdout.write(`bench: ${suite.name} ...\n`);
    const started = Date.now();
    const result = await runInOwnProcess(suite.name, quick);
    process.stdout.write(`bench: ${suite.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    suites[suite.name] = { ...provenance, result };
  }
  const measuredFigures = figuresOf(suites);
  if (
    measuredFigures['browser-cost.warmContextMs'] !== undefined &&
    measuredFigures['throughput.pipeline_c1_per_min'] !== undefined
  ) {
    suites.cost = { ...provenance, result: costFromFigures(measuredFigures) };
  }
  const figures = figuresOf(suites);
  const results = [...SUITES.map((suite) => suite.name), 'cost']
    .filter((name) => suites[name] !== undefined)
    .map((name) => ({ name, ...suites[name]! }));

  await writeFile(
    path.join(OUT_DIR, 'results.json'),
    `${JSON.stringify({ machine, command, quick, figures, suites }, null, 2)}\n`,
  );
  const chart = chartOf(figures);
  if (chart) await writeFile(path.join(OUT_DIR, 'chart.svg'), chart);
  await writeFile(
    path.join(OUT_DIR, 'RESULTS.md'),
    markdown(machine, command, quick, results, Boolean(chart)),
  );
  process.stdout.write(
    `bench: wrote bench/RESULTS.md${chart ? ', bench/chart.svg' : ''} and bench/results.json\n`,
  );
}

interface MeasuredSuite {
  measuredAt: string;
  commit: string;
  command: string;
  result: SuiteResult;
}

/** The suites of the last results.json written in the same mode (quick or full). */
async function previousResults(quick: boolean): Promise<Record<string, MeasuredSuite>> {
  try {
    const previous = JSON.parse(await readFile(path.join(OUT_DIR, 'results.json'), 'utf8')) as {
      quick?: boolean;
      suites?: Record<string, MeasuredSuite>;
    };
    return previous.quick === quick && previous.suites ? previous.suites : {};
  } catch {
    return {};
  }
}

function figuresOf(suites: Record<string, MeasuredSuite>): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const [name, { result }] of Object.entries(suites))
    for (const [key, value] of Object.entries(result.figures)) figures[`${name}.${key}`] = value;
  return figures;
}

/** The commit measured, marked when the working tree has changes. */
function currentCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // The bench's own output files do not count: a run that refreshes one section has them changed.
    const dirty = execFileSync(
      'git',
      [
        'status',
        '--porcelain',
        '--untracked-files=no',
        '--',
        '.',
        ...OUTPUT_FILES.map((f) => `:!bench/${f}`),
      ],
      { encoding: 'utf8' },
    );
    return dirty.trim() ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

/** One process per suite (see bench/run-suite.ts); its output passes through. */
async function runInOwnProcess(name: string, quick: boolean): Promise<SuiteResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'directorybolt-bench-result-'));
  const file = path.join(dir, 'result.json');
  try {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--disable-warning=ExperimentalWarning',
          // The soak's memory samples collect garbage first, to see what is retained.
          '--expose-gc',
          '--import',
          'tsx',
          path.join(OUT_DIR, 'run-suite.ts'),
          name,
          file,
          quick ? '--quick' : '--full',
        ],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`suite ${name} failed (exit ${code})`);
    return JSON.parse(await readFile(file, 'utf8')) as SuiteResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function markdown(
  machine: Record<string, string>,
  command: string,
  quick: boolean,
  results: ({ name: string } & MeasuredSuite)[],
  hasChart: boolean,
): string {
  const lines = [
    '# Benchmark results',
    '',
    `Last written by \`${command}\`${quick ? ' (quick mode: small samples, a smoke run, not figures to quote)' : ''}.`,
    'Each section says when, at which commit and by which command it was measured.',
    'Absolute times on a shared 2-core machine are noisy; compare the ratios, which are measured in the same run.',
    '',
    '| machine | |',
    '| --- | --- |',
    ...Object.entries(machine).map(([key, value]) => `| ${key} | ${value} |`),
    '',
  ];
  if (hasChart) lines.push('![throughput and latency](chart.svg)', '');
  for (const { name, result, measuredAt, commit, command: measuredBy } of results) {
    lines.push(`## ${result.title}`, '', `Suite \`${name}\`. ${result.method}`, '');
    lines.push(`Measured ${measuredAt} at commit ${commit} by \`${measuredBy}\`.`, '');
    lines.push(`| ${result.columns.join(' | ')} |`, `| ${result.columns.map(() => '---').join(' | ')} |`);
    for (const row of result.rows) lines.push(`| ${row.join(' | ')} |`);
    for (const note of result.notes ?? []) lines.push('', note);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function chartOf(figures: Record<string, number>): string | undefined {
  const levels = [1, 2, 4, 8].filter((c) => figures[`throughput.bare_c${c}_per_min`] !== undefined);
  const latencyCases = [
    'bare node:http + pg: get_job',
    'GET /jobs/{id}',
    'POST /jobs (1 directory)',
    'GET /health',
  ].filter((name) => figures[`api-latency.${name} p50`] !== undefined);
  if (levels.length === 0 && latencyCases.length === 0) return undefined;
  return renderChart({
    title: 'DirectoryBolt on one 2-core machine',
    lines: {
      title: 'Submissions per minute',
      xLabel: 'concurrency',
      yLabel: 'submissions / min',
      series: [
        {
          name: 'bare playwright loop',
          color: '#888',
          points: levels.map((c) => [c, figures[`throughput.bare_c${c}_per_min`]!]),
        },
        {
          name: 'whole pipeline',
          color: '#1f6feb',
          points: levels.map((c) => [c, figures[`throughput.pipeline_c${c}_per_min`]!]),
        },
        { name: 'audited system (8/min)', color: '#d1242f', points: levels.map((c) => [c, 8]) },
      ],
    },
    bars: {
      title: 'API latency at 1000 requests/min',
      yLabel: 'ms',
      groups: latencyCases.map((name) => ({
        label: name.replace('bare node:http + pg: get_job', 'bare server'),
        values: [
          { name: 'p50', color: '#1f6feb', value: figures[`api-latency.${name} p50`]! },
          { name: 'p99', color: '#9ecbff', value: figures[`api-latency.${name} p99`]! },
        ],
      })),
    },
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
