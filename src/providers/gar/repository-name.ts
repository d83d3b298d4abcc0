// Which Artifact Registry repository an image lives in. `LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE` names it
// in the path; a `gcr.io/PROJECT/IMAGE` host is served by the project's repository named after the host, in
// the multi-region of that host (gcr.io and us.gcr.io → us, eu.gcr.io → europe, asia.gcr.io → asia).
import type { RegistryConfig } from '../../config/schema.js';
import type { ImageRef } from '../../engine/diagnosis.js';
import { bareHost } from '../remediation-kit.js';
import { GCR_LOCATIONS, projectOf } from './index.js';

export interface GarRepositoryName {
  project: string;
  location: string;
  repositoryId: string;
  /** `projects/P/locations/L/repositories/R`, as the API names it. */
  resource: string;
  /** The image path inside the repository (the Artifact Registry package): `team/app`. */
  packageId: string;
  /** The image lives on a gcr.io host. */
  gcr: boolean;
}

const GAR_HOST = /^([a-z0-9]+(?:-[a-z0-9]+)*)-docker\.pkg\.dev$/;

/** The repository of an image, or why it cannot be told. The image path's project wins over the entry's `account`. */
export function garRepositoryName(image: ImageRef, registry: RegistryConfig | undefined): GarRepositoryName | { unknown: string } {
  const host = bareHost(image.host);
  const path = projectOf(image.repository);
  const gcrLocation = GCR_LOCATIONS[host];
  const project = path && path.rest.length > 0 ? path.project : registry?.account;
  if (!project) return { unknown: `the image ${image.reference} names no Google Cloud project, and registry ${registry?.name ?? host} sets no account` };
  if (gcrLocation) {
    const packageId = path?.rest.join('/') ?? '';
    if (!packageId) return { unknown: `the image ${image.reference} names no image below the project` };
    return { project, location: gcrLocation, repositoryId: host, resource: `projects/${project}/locations/${gcrLocation}/repositories/${host}`, packageId, gcr: true };
  }
  const location = GAR_HOST.exec(host)?.[1] ?? registry?.region;
  if (!location) return { unknown: `${host} is not a LOCATION-docker.pkg.dev host and registry ${registry?.name ?? host} sets no region` };
  const repositoryId = path?.rest[0];
  if (!repositoryId || path.rest.length < 2) return { unknown: `the image ${image.reference} does not name a repository (PROJECT/REPOSITORY/IMAGE)` };
  const packageId = path.rest.slice(1).join('/');
  return { project, location, repositoryId, resource: `projects/${project}/locations/${location}/repositories/${repositoryId}`, packageId, gcr: false };
}
