/**
 * The optional mapping service, as a real local HTTP service (fast, slow, failing, garbage), asked
 * by fillAndSubmit on real Chromium against the demo site. It must help when it answers and never
 * block a submission when it does not.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { BrowserManager, sparticuzExecutablePath } from '../../../lambdas/browser/browser';
import type { FieldMapping } from '../../../lambdas/customers/business-profile';
import { fillAndSubmit, type FillOptions } from '../../../lambdas/form-filling/fill-flow';
import { createMappingService } from '../../../lambdas/form-filling/mapping-service';
import { startDemoSite, type DemoSite } from '../../../local/demo-site/server';
import { PROFILE } from '../../support/business-fixtures';

const MAPPING: FieldMapping = {
  fields: { business_name: '[name="f1"]', email: '[name="f2"]', phone: '[name="f3"]', city: '[name="f5"]' },
  submit: 'button.go',
  success: { selector: '#done' },
};

let site: DemoSite;
let browser: BrowserManager;
let service: Server;
let serviceUrl: string;
const requests: Array<{ path: string; body: { url: string; controls: Array<{ name: string }> } }> = [];

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  [site] = await Promise.all([startDemoSite(), sparticuzExecutablePath()]);
  browser = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath });
  service = createServer((req, res) => {
    void body(req).then(async (text) => {
      requests.push({ path: req.url ?? '', body: JSON.parse(text) });
      if (req.url === '/fast') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ mapping: MAPPING }));
      }
      if (req.url === '/slow') {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        if (!res.destroyed) res.end(JSON.stringify({ mapping: MAPPING }));
        return;
      }
      if (req.url === '/failing') {
        res.writeHead(503);
        return res.end('down');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/garbage-json' ? '{"mapping": {"fields": "all of them"}}' : '<html>not json');
    });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as { port: number }).port}`;
});
afterAll(async () => {
  await browser?.close();
  await site?.stop();
  service?.closeAllConnections();
  await new Promise((resolve) => service?.close(resolve));
});
beforeEach(() => {
  site.reset();
  requests.length = 0;
});

const submit = (path: string, servicePath: string, extra: Partial<FillOptions> = {}) =>
  browser.withContext(async (context) =>
    fillAndSubmit(await context.newPage(), {
      url: `${site.url}${path}`,
      profile: PROFILE,
      timeouts: { navigationMs: 8_000, actionMs: 3_000 },
      mappingService: createMappingService({ url: `${serviceUrl}${servicePath}`, timeoutMs: 500 }),
      ...extra,
    }),
  );

test("a service's mapping fills a form detection cannot place; it is sent the form's shape, not the customer", async () => {
  const result = await submit('/forms/mapped', '/fast');

  expect(result).toMatchObject({ status: 'submitted', mappingSource: 'service' });
  expect(site.submissions().filter((s) => s.accepted)).toHaveLength(1);
  expect(requests).toHaveLength(1);
  expect(requests[0]!.body.url).toBe(`${site.url}/forms/mapped`);
  expect(requests[0]!.body.controls.map((c) => c.name)).toEqual(
    expect.arrayContaining(['f1', 'f2', 'f3', 'f4', 'f5']),
  );
  expect(JSON.stringify(requests[0]!.body)).not.toContain(PROFILE.email);
});

test.each(['/slow', '/failing', '/garbage-json', '/garbage-html'])(
  'service %s: detection takes over and the submission goes on',
  async (servicePath) => {
    const result = await submit('/forms/plain', servicePath);

    expect(result).toMatchObject({ status: 'submitted', mappingSource: 'detected' });
    expect(site.submissions().filter((s) => s.accepted)).toHaveLength(1);
    expect(requests.map((r) => r.path)).toEqual([servicePath]);
  },
);

test('a stored mapping wins: the service is not asked', async () => {
  const result = await submit('/forms/mapped', '/fast', { fieldMapping: MAPPING });

  expect(result).toMatchObject({ status: 'submitted', mappingSource: 'stored' });
  expect(requests).toHaveLength(0);
});

test('an unreachable service is no suggestion either', async () => {
  const mapping = createMappingService({ url: 'http://127.0.0.1:9/', timeoutMs: 500 });
  await expect(mapping.suggest({ url: 'http://x.example/', controls: [] })).resolves.toBeNull();
  expect(() => createMappingService({ url: 'not a url' })).toThrow();
});
