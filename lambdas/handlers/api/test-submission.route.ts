import { testSubmissionSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /directories/{id}/test-submission. The body may be empty: the stored mapping is tried. */
export const route = {
  method: 'POST',
  resource: '/directories/{id}/test-submission',
  entry: 'handlers/api/test-submission',
  name: 'test-submission',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  browser: true,
  body: testSubmissionSchema,
  bodyOptional: true,
} as const satisfies ApiRoute;
