/**
 * Every alarm leads somewhere useful: each alarm in the synthesized stacks links a runbook section
 * (`<runbookBaseUrl>/<file>.md#<anchor>`) that exists in docs/runbooks and names that alarm, by its
 * name or a name pattern (`DirectoryBolt-api-<route>-errors`). And every stack output a runbook tells
 * on-call to read exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import { PRIORITIES } from '../../lambdas/platform/system-config';
import type { DirectoryBoltStacks } from '../../lib/stacks/directorybolt-app';
import { RUNBOOK_OUTPUTS } from '../../lib/stacks/runbook-outputs';
import { buildTestApp, DEPLOY_CONTEXT, type TestApp } from './app-fixture';

const RUNBOOKS = join(import.meta.dirname, '..', '..', 'docs', 'runbooks');
const STACKS: (keyof DirectoryBoltStacks)[] = ['queues', 'storage', 'mail', 'submitter', 'api', 'operations'];

interface Section {
  anchor: string;
  /** The section's text: its heading and everything up to the next heading of its level or above. */
  text: string;
}

/** The slug GitHub gives a heading (github-slugger): lower case, punctuation dropped, spaces to dashes. */
function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A markdown file's sections by anchor (repeated headings get GitHub's -1, -2 suffixes). */
function sectionsOf(markdown: string): Map<string, Section> {
  const lines = markdown.split('\n');
  const headings: { line: number; level: number; anchor: string }[] = [];
  const seen = new Map<string, number>();
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (!match) return;
    const base = githubSlug(match[2]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    headings.push({ line: index, level: match[1]!.length, anchor: count === 0 ? base : `${base}-${count}` });
  });
  const sections = new Map<string, Section>();
  headings.forEach((heading, i) => {
    const next = headings.slice(i + 1).find((h) => h.level <= heading.level);
    sections.set(heading.anchor, {
      anchor: heading.anchor,
      text: lines.slice(heading.line, next?.line ?? lines.length).join('\n'),
    });
  });
  return sections;
}

/** Whether the section names the alarm: its exact name, or a backticked pattern with <placeholders>. */
function namesAlarm(section: string, alarmName: string): boolean {
  if (section.includes(alarmName)) return true;
  return [...section.matchAll(/`(DirectoryBolt-[^`]*<[^`]+)`/g)].some(([, pattern]) => {
    const regex = pattern!
      .split(/<[^>]+>/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[a-z0-9-]+');
    return new RegExp(`^${regex}$`).test(alarmName);
  });
}

const runbookFiles = readdirSync(RUNBOOKS).filter((file) => file.endsWith('.md'));
const runbookText = new Map(runbookFiles.map((file) => [file, readFileSync(join(RUNBOOKS, file), 'utf8')]));

describe('runbooks', () => {
  let testApp: TestApp;
  let alarms: { stack: string; name: string; description: string }[];
  let outputs: Set<string>;
  beforeAll(() => {
    testApp = buildTestApp();
    const templates: [string, Template][] = STACKS.map((stack) => [stack, testApp.template(stack)]);
    alarms = templates.flatMap(([stack, template]) =>
      ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'].flatMap((type) =>
        Object.values(template.findResources(type)).map((resource) => {
          const properties = (resource as { Properties: Record<string, unknown> }).Properties;
          return {
            stack,
            name: String(properties.AlarmName),
            description: String(properties.AlarmDescription ?? ''),
          };
        }),
      ),
    );
    outputs = new Set(templates.flatMap(([, template]) => Object.keys(template.findOutputs('*'))));
  });
  afterAll(() => testApp.cleanup());

  it('the app has alarms (the checks below are not vacuous)', () => {
    expect(alarms.length).toBeGreaterThan(20);
  });

  it('every alarm links a section of a runbook that exists and names the alarm', () => {
    const problems: string[] = [];
    for (const alarm of alarms) {
      const link = / Runbook: (\S+)$/.exec(alarm.description)?.[1];
      const prefix = `${DEPLOY_CONTEXT.runbookBaseUrl}/`;
      if (!link?.startsWith(prefix)) {
        problems.push(
          `${alarm.name}: no "Runbook: ${prefix}<file>.md#<anchor>" at the end of its description`,
        );
        continue;
      }
      const [file, anchor] = link.slice(prefix.length).split('#');
      const markdown = runbookText.get(file!);
      if (!markdown) {
        problems.push(`${alarm.name}: links ${file}, which is not in docs/runbooks`);
        continue;
      }
      if (!anchor) {
        problems.push(`${alarm.name}: links ${file} without a #section`);
        continue;
      }
      const section = sectionsOf(markdown).get(anchor);
      if (!section) {
        problems.push(`${alarm.name}: ${file} has no section #${anchor}`);
      } else if (!namesAlarm(section.text, alarm.name)) {
        problems.push(`${alarm.name}: ${file}#${anchor} does not name it (or a pattern matching it)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every stack output a runbook names exists in the synthesized stacks', () => {
    // "output `Name`", and every output-like name in backticks (`…Function`, `…Url`, `…Arn`, …)
    const named = [...runbookText].flatMap(([file, markdown]) =>
      [
        ...markdown.matchAll(/\boutputs? `([A-Za-z0-9]+)`/g),
        ...markdown.matchAll(/`([A-Z][A-Za-z0-9]*(?:Function|QueueUrl|Url|Arn|Bucket|Id|Name))`/g),
      ].map(([, output]) => ({ file, output: output! })),
    );
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter(({ output }) => !outputs.has(output))).toEqual([]);
  });

  it('the stacks write every output of RUNBOOK_OUTPUTS, one per queue and per API route', () => {
    const expected = [
      ...PRIORITIES.map(RUNBOOK_OUTPUTS.queues.taskQueueUrl),
      RUNBOOK_OUTPUTS.queues.deadLetterQueueUrl,
      ...Object.values(RUNBOOK_OUTPUTS.storage),
      ...Object.values(RUNBOOK_OUTPUTS.mail),
      RUNBOOK_OUTPUTS.submitter.function,
      ...API_ROUTES.map((route) => RUNBOOK_OUTPUTS.api.function(route.name)),
      ...Object.values(RUNBOOK_OUTPUTS.operations),
    ];
    expect(expected.filter((name) => !outputs.has(name))).toEqual([]);
    expect(RUNBOOK_OUTPUTS.api.function('admin-dlq-redrive')).toBe('ApiFunctionAdminDlqRedrive');
  });

  it('every runbook linked from another runbook exists, with the section it links', () => {
    const broken: string[] = [];
    for (const [file, markdown] of runbookText) {
      for (const [, target, anchor] of markdown.matchAll(/\]\(([a-z0-9-]+\.md)(?:#([a-z0-9-]+))?\)/g)) {
        const linked = runbookText.get(target!);
        if (!linked) broken.push(`${file} -> ${target}`);
        else if (anchor && !sectionsOf(linked).has(anchor)) broken.push(`${file} -> ${target}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('githubSlug', () => {
  it.each([
    ['DLQ not empty', 'dlq-not-empty'],
    ['`DirectoryBolt-api-5xx`: the API answers 5xx', 'directorybolt-api-5xx-the-api-answers-5xx'],
    ['Sweeper not running (or failing)', 'sweeper-not-running-or-failing'],
  ])('%s -> %s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });
});
