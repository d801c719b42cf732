/**
 * local/emulators/api-gateway.ts over real HTTP: routes, API keys, limits, throttling and failed integrations, with
 * handlers that record the API Gateway proxy event they receive.
 */
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { startGateway, type Gateway, type GatewayRoute } from '../../../local/emulators/api-gateway';
import { API } from '../../../lambdas/platform/system-config';

const KEY_ONE = 'key-one-secret-value-0123456789';
const KEY_TWO = 'key-two-secret-value-0123456789';
const API_KEYS = new Map([
  [KEY_ONE, 'key-id-1'],
  [KEY_TWO, 'key-id-2'],
]);
const FUNCTION_TIMEOUT_MS = 300;

/** The JSON error shape of the gateway's own answers; the correlation id is the request id. */
const gatewayError = (code: string, message: string) => ({
  error: { code, message, correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
});

interface Recorder {
  events: APIGatewayProxyEvent[];
  routes: GatewayRoute[];
}

/** A small route list; every handler records the event it receives. */
function recordingRoutes(release: Promise<void>): Recorder {
  const events: APIGatewayProxyEvent[] = [];
  const answer = (event: APIGatewayProxyEvent, statusCode: number): APIGatewayProxyResult => {
    events.push(event);
    return {
      statusCode,
      headers: { 'content-type': 'application/json', 'x-handler': 'recorded', 'x-count': 7 },
      body: JSON.stringify({ ok: true, id: event.pathParameters?.id ?? null }),
    };
  };
  const routes: GatewayRoute[] = [
    {
      method: 'GET',
      resource: '/jobs/{id}',
      entry: 'test/get-job',
      name: 'get-job',
      apiKeyRequired: true,
      handler: async (event) => answer(event, 200),
    },
    {
      method: 'POST',
      resource: '/jobs',
      entry: 'test/create-job',
      name: 'create-job',
      apiKeyRequired: true,
      handler: async (event) => answer(event, 201),
    },
    {
      method: 'GET',
      resource: '/public/{name}',
      entry: 'test/public',
      name: 'public',
      apiKeyRequired: false,
      handler: async (event) => answer(event, 200),
    },
    {
      method: 'GET',
      resource: '/boom',
      entry: 'test/boom',
      name: 'boom',
      apiKeyRequired: false,
      handler: async (event) => {
        events.push(event);
        throw new Error('secret database password leaked in stack');
      },
    },
    {
      method: 'GET',
      resource: '/slow',
      entry: 'test/slow',
      name: 'slow',
      apiKeyRequired: false,
      handler: async (event) => {
        events.push(event);
        await release; // outlives FUNCTION_TIMEOUT_MS; released in afterAll
        return { statusCode: 200, body: 'too late' };
      },
    },
  ];
  return { events, routes };
}

/** A raw HTTP request with a chunked body (no content-length), written with backpressure. */
function chunkedRequest(
  url: string,
  headers: Record<string, string>,
  totalBytes: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, 'y');
    let sent = 0;
    const write = (): void => {
      while (sent < totalBytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
        sent += part.length;
        if (!req.write(part)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

describe('local gateway', () => {
  let gateway: Gateway;
  let recorder: Recorder;
  let releaseSlow: () => void = () => undefined;

  beforeAll(async () => {
    const release = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    recorder = recordingRoutes(release);
    gateway = await startGateway({
      routes: recorder.routes,
      apiKeys: API_KEYS,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    });
  });
  afterAll(async () => {
    releaseSlow();
    await gateway?.stop();
  });
  beforeEach(() => {
    recorder.events.length = 0;
  });

  it('invokes the handler with an API Gateway proxy event', async () => {
    // Prepare
    const url = `${gateway.url}/jobs/job%20one%2F2?verbose=true&tag=a&tag=b`;
    // Act
    const response = await fetch(url, { headers: { 'x-api-key': KEY_ONE, 'x-trace': 'abc' } });
    await response.text();
    // Assess
    expect(recorder.events).toHaveLength(1);
    const event = recorder.events[0]!;
    expect(event.resource).toBe('/jobs/{id}');
    expect(event.path).toBe('/jobs/job%20one%2F2');
    expect(event.httpMethod).toBe('GET');
    expect(event.pathParameters).toEqual({ id: 'job one/2' });
    expect(event.queryStringParameters).toEqual({ verbose: 'true', tag: 'b' });
    expect(event.multiValueQueryStringParameters).toEqual({ verbose: ['true'], tag: ['a', 'b'] });
    expect(event.headers['x-api-key']).toBe(KEY_ONE);
    expect(event.headers['x-trace']).toBe('abc');
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-amzn-requestid')).toBe(event.requestContext.requestId);
    expect(event.requestContext.resourcePath).toBe('/jobs/{id}');
    expect(event.requestContext.identity.apiKey).toBe(KEY_ONE);
    expect(event.requestContext.identity.apiKeyId).toBe('key-id-1');
    expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
  });

  it('passes a POST body and gives no query parameters as null', async () => {
    // Prepare
    const payload = JSON.stringify({ customerId: 'c-1', directories: ['d-1', 'd-2'] });
    // Act
    const response = await fetch(`${gateway.url}/jobs`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_TWO, 'content-type': 'application/json' },
      body: payload,
    });
    await response.text();
    // Assess
    expect(response.status).toBe(201);
    expect(recorder.events).toHaveLength(1);
    const event = recorder.events[0]!;
    expect(event.body).toBe(payload);
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.queryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.requestContext.identity.apiKeyId).toBe('key-id-2');
  });

  it("returns the handler's status, headers and body to the client", async () => {
    // Act
    const response = await fetch(`${gateway.url}/jobs/abc`, { headers: { 'x-api-key': KEY_ONE } });
    const body = await response.json();
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-handler')).toBe('recorded');
    expect(response.headers.get('x-count')).toBe('7');
    expect(body).toEqual({ ok: true, id: 'abc' });
  });

  it('answers 404 for an unknown path and for a known path with another method', async () => {
    // Act
    const unknown = await fetch(`${gateway.url}/nope`, { headers: { 'x-api-key': KEY_ONE } });
    const wrongMethod = await fetch(`${gateway.url}/jobs/abc`, {
      method: 'DELETE',
      headers: { 'x-api-key': KEY_ONE },
    });
    // Assess
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(gatewayError('RESOURCE_NOT_FOUND', 'Not Found'));
    expect(wrongMethod.status).toBe(404);
    await wrongMethod.text();
    expect(recorder.events).toHaveLength(0);
  });

  it('refuses a key-protected route without a key or with a wrong key (401), without invoking it', async () => {
    // Act
    const missing = await fetch(`${gateway.url}/jobs/abc`);
    const wrong = await fetch(`${gateway.url}/jobs/abc`, { headers: { 'x-api-key': 'not-a-key' } });
    // Assess
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(gatewayError('INVALID_API_KEY', 'Forbidden'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(gatewayError('INVALID_API_KEY', 'Forbidden'));
    expect(recorder.events).toHaveLength(0);
  });

  it('serves a route without apiKeyRequired without a key', async () => {
    // Act
    const response = await fetch(`${gateway.url}/public/hello`);
    await response.text();
    // Assess
    expect(response.status).toBe(200);
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]!.requestContext.identity.apiKeyId).toBeNull();
  });

  it('accepts a body of exactly API.maxBodyBytes', async () => {
    // Prepare
    const payload = 'x'.repeat(API.maxBodyBytes);
    // Act
    const response = await fetch(`${gateway.url}/jobs`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_ONE },
      body: payload,
    });
    await response.text();
    // Assess
    expect(response.status).toBe(201);
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]!.body).toHaveLength(API.maxBodyBytes);
  });

  it('refuses a body over API.maxBodyBytes (413) without invoking the handler', async () => {
    // Prepare
    const payload = 'x'.repeat(API.maxBodyBytes + 1);
    // Act
    const response = await fetch(`${gateway.url}/jobs`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_ONE },
      body: payload,
    });
    // Assess
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(gatewayError('REQUEST_TOO_LARGE', 'Request Entity Too Large'));
    expect(recorder.events).toHaveLength(0);
  });

  it.each([
    ['one byte', API.maxBodyBytes + 1],
    ['twice the limit', 2 * API.maxBodyBytes],
    ['sixteen times the limit', 16 * API.maxBodyBytes],
  ])('refuses a chunked body (no content-length) over API.maxBodyBytes by %s with 413', async (_, size) => {
    // Act
    const response = await chunkedRequest(`${gateway.url}/jobs`, { 'x-api-key': KEY_ONE }, size);
    // Assess
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual(gatewayError('REQUEST_TOO_LARGE', 'Request Entity Too Large'));
    expect(recorder.events).toHaveLength(0);
  });

  it('refuses a URL longer than API.maxUrlLength (414) and accepts one of exactly that length', async () => {
    // Prepare
    const prefix = '/jobs/';
    const atLimit = `${prefix}${'a'.repeat(API.maxUrlLength - prefix.length)}`;
    const overLimit = `${atLimit}a`;
    // Act
    const accepted = await fetch(`${gateway.url}${atLimit}`, { headers: { 'x-api-key': KEY_ONE } });
    await accepted.text();
    const refused = await fetch(`${gateway.url}${overLimit}`, { headers: { 'x-api-key': KEY_ONE } });
    // Assess
    expect(atLimit).toHaveLength(API.maxUrlLength);
    expect(accepted.status).toBe(200);
    expect(refused.status).toBe(414);
    expect(await refused.json()).toEqual(gatewayError('REQUEST_TOO_LARGE', 'Request-URI Too Long'));
    expect(recorder.events).toHaveLength(1);
  });

  it('answers 502 without details when the handler throws', async () => {
    // Act
    const response = await fetch(`${gateway.url}/boom`);
    const text = await response.text();
    // Assess
    expect(recorder.events).toHaveLength(1);
    expect(response.status).toBe(502);
    expect(JSON.parse(text)).toEqual(gatewayError('INTEGRATION_FAILURE', 'Internal server error'));
    expect(text).not.toContain('secret');
  });

  it('answers 502 without details when the handler exceeds functionTimeoutMs', async () => {
    // Act
    const response = await fetch(`${gateway.url}/slow`);
    const text = await response.text();
    // Assess
    expect(recorder.events).toHaveLength(1);
    expect(response.status).toBe(502);
    expect(JSON.parse(text)).toEqual(gatewayError('INTEGRATION_FAILURE', 'Internal server error'));
    expect(text).not.toContain('timed out');
  });
});

describe('local gateway throttling', () => {
  let gateway: Gateway;
  let recorder: Recorder;

  beforeEach(async () => {
    recorder = recordingRoutes(Promise.resolve());
    gateway = await startGateway({
      routes: recorder.routes,
      apiKeys: API_KEYS,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      throttle: { ratePerSecond: 1, burst: 3 },
    });
  });
  afterEach(async () => {
    await gateway?.stop();
  });

  it('lets a burst through, then answers 429 with retry-after, per key', async () => {
    // Act: four rapid requests with one key, then one with another key
    const statuses: number[] = [];
    let throttled: Response | undefined;
    for (let i = 0; i < 4; i += 1) {
      const response = await fetch(`${gateway.url}/jobs/j${i}`, { headers: { 'x-api-key': KEY_ONE } });
      statuses.push(response.status);
      if (response.status === 429) throttled = response;
      else await response.text();
    }
    const otherKey = await fetch(`${gateway.url}/jobs/other`, { headers: { 'x-api-key': KEY_TWO } });
    await otherKey.text();
    // Assess
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(throttled?.headers.get('retry-after')).toBe('1');
    expect(await throttled?.json()).toEqual(gatewayError('THROTTLED', 'Too Many Requests'));
    expect(otherKey.status).toBe(200);
    expect(recorder.events.map((e) => e.pathParameters?.id)).toEqual(['j0', 'j1', 'j2', 'other']);
  });

  it('does not spend tokens on requests refused for a wrong key', async () => {
    // Act
    for (let i = 0; i < 5; i += 1) {
      const refused = await fetch(`${gateway.url}/jobs/x`, { headers: { 'x-api-key': 'wrong' } });
      await refused.text();
    }
    const response = await fetch(`${gateway.url}/jobs/ok`, { headers: { 'x-api-key': KEY_ONE } });
    await response.text();
    // Assess
    expect(response.status).toBe(200);
  });
});

describe('local gateway usage plans', () => {
  it("throttles each key with its own plan's numbers from API.usagePlans", async () => {
    // Prepare: a key store as the local stack's, one starter key and one enterprise key
    const recorder = recordingRoutes(Promise.resolve());
    const gateway = await startGateway({
      routes: recorder.routes,
      apiKeys: async (key) =>
        key === KEY_ONE
          ? { id: 'starter-key', plan: 'starter' }
          : key === KEY_TWO
            ? { id: 'enterprise-key', plan: 'enterprise' }
            : undefined,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      clock: () => 1_000_000, // time stands still: no refill, however slow the machine
    });
    try {
      // Act: one more than the starter burst with each key
      const starter: number[] = [];
      const enterprise: number[] = [];
      for (let i = 0; i <= API.usagePlans.starter.burstLimit; i += 1) {
        const a = await fetch(`${gateway.url}/jobs/s${i}`, { headers: { 'x-api-key': KEY_ONE } });
        await a.text();
        starter.push(a.status);
        const b = await fetch(`${gateway.url}/jobs/e${i}`, { headers: { 'x-api-key': KEY_TWO } });
        await b.text();
        enterprise.push(b.status);
      }
      // Assess: the starter burst is spent on exactly its last request
      expect(starter.filter((s) => s === 200)).toHaveLength(API.usagePlans.starter.burstLimit);
      expect(starter.at(-1)).toBe(429);
      expect(enterprise.every((s) => s === 200)).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});
