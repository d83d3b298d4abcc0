// Once before any test file: the build the end-to-end files start (`node dist/main.js` from this tree's src).
// Otherwise the first file of each worker compiles it, both at once and beside the apps other files run.
import { buildApp } from './fakes/app-process.js';

export default function setup(): void {
  buildApp();
}
