import type { TestProject } from 'vitest/node';
import { startEmbeddedAzurite } from '../../src/stores/azure/embedded-azurite.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    azureConnectionString: string;
  }
}

/** One in-memory Azurite for the whole run; each test makes tables of its own names. */
export default async function setup(project: TestProject) {
  const azurite = await startEmbeddedAzurite();
  project.provide('azureConnectionString', azurite.connectionString);
  return () => azurite.close();
}
