/**
 * Path ids are checked with a plain pattern (lambdas/http/responses.ts UUID_PATTERN) so that routes which
 * read only ids do not load zod at start-up; it must accept exactly what z.uuid(), used everywhere
 * else (bodies, queries), accepts.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { HttpError, pathUuid, UUID_PATTERN } from '../../../lambdas/http/responses';

const CANDIDATES = [
  randomUUID(),
  randomUUID().toUpperCase(),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  '7c9e6679-7425-00de-944b-e07fc1f90ae7', // version 0
  '7c9e6679-7425-90de-944b-e07fc1f90ae7', // version 9
  '7c9e6679-7425-80de-944b-e07fc1f90ae7', // version 8
  '7c9e6679-7425-10de-944b-e07fc1f90ae7', // version 1
  '7c9e6679-7425-40de-744b-e07fc1f90ae7', // variant bits 0xxx
  '7c9e6679-7425-40de-c44b-e07fc1f90ae7', // variant bits 110x
  '7c9e6679-7425-40de-b44b-e07fc1f90ae7',
  '7c9e6679742540de944be07fc1f90ae7', // no dashes
  '{7c9e6679-7425-40de-944b-e07fc1f90ae7}',
  ' 7c9e6679-7425-40de-944b-e07fc1f90ae7',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7\n',
  '7c9e6679-7425-40de-944b-e07fc1f90ae',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7a',
  'g c9e6679-7425-40de-944b-e07fc1f90ae7',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7; drop table jobs',
  '',
  'null',
];

it.each(CANDIDATES)('UUID_PATTERN and z.uuid() agree on %j', (candidate) => {
  expect(UUID_PATTERN.test(candidate)).toBe(z.uuid().safeParse(candidate).success);
});

it('pathUuid answers 400 invalid_id naming the parameter, and returns a valid id unchanged', () => {
  const event = (id: string | undefined) =>
    ({ pathParameters: id === undefined ? null : { id } }) as unknown as APIGatewayProxyEvent;
  const id = randomUUID();
  expect(pathUuid(event(id), 'id')).toBe(id);
  for (const bad of ['nope', undefined]) {
    let error: unknown;
    try {
      pathUuid(event(bad), 'id');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 400, code: 'invalid_id', message: 'id: must be a UUID' });
  }
});
