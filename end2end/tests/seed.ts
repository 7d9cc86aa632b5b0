import type { APIRequestContext } from '@playwright/test';
import { upload } from './helpers';

/** The data every spec browses, uploaded through the API (idempotently). */
export async function seed(request: APIRequestContext) {
  await upload(request, {
    run: 'build-1',
    branch: 'main',
    job: 'linux',
    files: ['dorny-test-reporter/__tests__/fixtures/external/jest/jest-test-results.xml'],
  });
  await upload(request, {
    run: 'build-2',
    branch: 'main',
    job: 'linux',
    files: [
      'dorny-test-reporter/__tests__/fixtures/jest-junit.xml',
      'action-junit-report/test_results/junit-server-test/report.xml',
    ],
  });
  await upload(request, {
    run: 'build-2',
    branch: 'main',
    job: 'windows',
    files: ['dorny-test-reporter/__tests__/fixtures/dotnet-trx.trx'],
  });
  await upload(request, {
    run: 'build-3',
    branch: 'feature/x',
    job: 'linux',
    files: ['dorny-test-reporter/__tests__/fixtures/jest-junit.xml'],
  });
  await upload(request, {
    run: 'build-4',
    branch: 'main',
    job: 'linux',
    files: ['dorny-test-reporter/__tests__/fixtures/jest-junit.xml'],
  });
}
