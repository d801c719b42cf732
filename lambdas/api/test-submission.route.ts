import { testSubmissionSchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** POST /directories/{id}/test-submission. The body may be empty: the stored mapping is tried. */
export const route = {
  method: 'POST',
  resource: '/directories/{id}/test-submission',
  entry: 'api/test-submission',
  name: 'test-submission',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  browser: true,
  body: testSubmissionSchema,
  bodyOptional: true,
} as const satisfies ApiRoute;
