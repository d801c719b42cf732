import { route as adminDlq } from './admin-dlq.route';
import { route as adminDlqRedrive } from './admin-dlq-redrive.route';
import { route as adminMarkDirectoryAccountVerified } from './admin-mark-directory-account-verified.route';
import { route as adminPause } from './admin-pause.route';
import { route as adminPauses } from './admin-pauses.route';
import { route as adminResume } from './admin-resume.route';
import { route as adminRevealDirectoryAccount } from './admin-reveal-directory-account.route';
import { route as adminWorkers } from './admin-workers.route';
import { route as cancelJob } from './cancel-job.route';
import { route as createCustomer } from './create-customer.route';
import { route as createDirectory } from './create-directory.route';
import { route as createJob } from './create-job.route';
import { route as deleteCustomer } from './delete-customer.route';
import { route as deleteCustomerLogo } from './delete-customer-logo.route';
import { route as getCustomer } from './get-customer.route';
import { route as getDirectory } from './get-directory.route';
import { route as getDirectoryMapping } from './get-directory-mapping.route';
import { route as getJob } from './get-job.route';
import { route as getQueue } from './get-queue.route';
import { route as health } from './health.route';
import { route as healthDetails } from './health-details.route';
import { route as listDirectories } from './list-directories.route';
import { route as listJobs } from './list-jobs.route';
import { route as listSubmissions } from './list-submissions.route';
import { route as metrics } from './metrics.route';
import { route as openapi } from './openapi.route';
import { route as processQueue } from './process-queue.route';
import { route as putCustomerLogo } from './put-customer-logo.route';
import { route as putDirectoryMapping } from './put-directory-mapping.route';
import { route as resubmitListing } from './resubmit-listing.route';
import { route as testSubmission } from './test-submission.route';
import { route as updateCustomer } from './update-customer.route';
import { route as updateDirectory } from './update-directory.route';
import { route as updateJob } from './update-job.route';
import type { ApiRoute } from '../../http/route-definition';

export { pathParameterNames, routeKey, routePolicy, type ApiRoute } from '../../http/route-definition';

/**
 * The API's routes, one table assembled from each route's own definition (`<name>.route.ts`, beside
 * its handler): the API stack builds one Lambda, one method and one request model per route from it,
 * the local gateway routes requests to the same handler files, and the OpenAPI document is generated
 * from it. The handlers import their own definition, never this table (see route-definition.ts).
 */
export const API_ROUTES: readonly ApiRoute[] = [
  createJob,
  listJobs,
  getJob,
  health,
  healthDetails,
  updateJob,
  cancelJob,
  getQueue,
  processQueue,
  listDirectories,
  createDirectory,
  getDirectoryMapping,
  getDirectory,
  updateDirectory,
  putDirectoryMapping,
  testSubmission,
  createCustomer,
  getCustomer,
  updateCustomer,
  deleteCustomer,
  putCustomerLogo,
  deleteCustomerLogo,
  resubmitListing,
  listSubmissions,
  metrics,
  adminWorkers,
  adminDlq,
  adminDlqRedrive,
  adminPauses,
  adminPause,
  adminResume,
  adminRevealDirectoryAccount,
  adminMarkDirectoryAccountVerified,
  openapi,
];
