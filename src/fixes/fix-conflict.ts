// A write the cloud refused because the state moved since it was read (a stale etag): read again, never force.
export class FixConflict extends Error {
  override readonly name = 'FixConflict';
}
