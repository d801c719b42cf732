import { apiHandler } from '../../http/api-handler';
import { route } from './list-directories.route';
import { json } from '../../http/responses';
import { API_SURFACE } from '../../platform/system-config';

/** GET /directories (any key): the active directories by slug, paginated by the last slug seen. */
export const handler = apiHandler(route, async (event, _context, { rpc, query }) => {
  const page = await rpc<{ directories: unknown[]; next: string | null }>('list_directories', {
    p_include_inactive: false,
    p_after_slug: query.cursor ?? null,
    p_limit: query.limit ?? API_SURFACE.page.default,
  });
  return json(200, { directories: page.directories, next_cursor: page.next });
});
