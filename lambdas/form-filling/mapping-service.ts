/**
 * The optional mapping service: a seat for the old system's AI form mapper.
 *
 * When MAPPING_SERVICE_URL is set, a directory without a stored mapping has its form described to
 * the service, which may answer with a FieldMapping (selectors per profile field, optionally the
 * submit button and a success rule). It is advice, never a dependency: no answer within
 * SUBMITTER.mappingServiceTimeoutMs, a network error, a non-2xx status or an answer that is not a
 * valid mapping all mean "no suggestion", and detection goes on with the built-in heuristics. A
 * directory's stored mapping always wins (the service is not even asked).
 *
 * Wire contract (JSON over HTTP POST to the configured URL):
 *   request  { "url": "<form page URL>", "controls": [{ index, selector, tag, type, name, id, label,
 *              placeholder, autocomplete, required, group, options: [{ value, label }] }] }
 *   response { "mapping": FieldMapping | null }   (or the FieldMapping itself)
 * The service is an operator-configured endpoint (not a URL from data), so it is called directly,
 * not through the SSRF guard. Customer data is never sent: only the form's shape.
 */
import type { LogPort } from '../platform/ports';
import { SUBMITTER } from '../platform/system-config';
import { FieldMappingSchema, type FieldMapping } from '../customers/business-profile';
import type { ScannedControl } from './page-scan';

export interface MappingRequest {
  url: string;
  controls: ScannedControl[];
}

/** What the form filler needs: a suggestion or null, never an exception, never longer than its timeout. */
export interface MappingPort {
  suggest(request: MappingRequest): Promise<FieldMapping | null>;
}

export interface MappingServiceOptions {
  url: string;
  timeoutMs?: number;
  log?: LogPort;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** Only what describes the form; values the page pre-filled are left out. */
function describe(control: ScannedControl) {
  return {
    index: control.index,
    selector: control.selector,
    tag: control.tag,
    type: control.type,
    name: control.name,
    id: control.id,
    label: control.labels || control.labelledBy || control.ariaLabel || control.layoutText,
    placeholder: control.placeholder,
    autocomplete: control.autocomplete,
    required: control.required,
    group: control.group,
    options: control.options.slice(0, 200),
  };
}

export function createMappingService(options: MappingServiceOptions): MappingPort {
  const endpoint = new URL(options.url); // a malformed URL fails at start-up, not per submission
  const timeoutMs = options.timeoutMs ?? SUBMITTER.mappingServiceTimeoutMs;
  const doFetch = options.fetch ?? fetch;
  return {
    async suggest(request) {
      const started = Date.now();
      const fallBack = (reason: string): null => {
        options.log?.warn('Mapping service gave no usable mapping; using detection', {
          reason,
          elapsedMs: Date.now() - started,
        });
        return null;
      };
      try {
        const response = await doFetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ url: request.url, controls: request.controls.map(describe) }),
          // Covers the whole exchange, body included: a service that stalls mid-answer is cut off too.
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          return fallBack(`HTTP ${response.status}`);
        }
        const body: unknown = await response.json();
        const candidate =
          body && typeof body === 'object' && 'mapping' in body
            ? (body as { mapping: unknown }).mapping
            : body;
        if (candidate === null) return null; // the service has no suggestion for this form
        const parsed = FieldMappingSchema.safeParse(candidate);
        if (!parsed.success || Object.keys(parsed.data.fields).length === 0) {
          return fallBack('the answer is not a field mapping');
        }
        return parsed.data;
      } catch (error) {
        const name = (error as Error).name;
        return fallBack(
          name === 'TimeoutError' || name === 'AbortError'
            ? `no answer in ${timeoutMs} ms`
            : String((error as Error).message).slice(0, 200),
        );
      }
    },
  };
}
