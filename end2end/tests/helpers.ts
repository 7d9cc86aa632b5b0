import { expect, type APIRequestContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const corpus = (rel: string) =>
  path.resolve(__dirname, '../../../shared/corpus/test-reports', rel);

/** The API token serve-fresh.sh made for `project`. */
export const token = (project = 'e2e') =>
  fs.readFileSync(path.resolve(__dirname, project === 'e2e' ? '../.state/token' : `../.state/token-${project}`), 'utf8').trim();

/** Creates a run and a job (idempotently) and uploads report files to it through the API. */
export async function upload(
  request: APIRequestContext,
  opts: { run: string; branch?: string; job: string; files: string[]; project?: string },
) {
  const auth = () => ({ Authorization: `Bearer ${token(opts.project)}` });
  const project = `/api/v1/projects/${opts.project ?? 'e2e'}`;
  const run = await request.post(`${project}/runs`, {
    headers: auth(),
    data: { name: opts.run, branch: opts.branch, revision: `rev-${opts.run}` },
  });
  expect(run.ok(), await run.text()).toBeTruthy();
  const runPath = `${project}/runs/${encodeURIComponent(opts.run)}`;
  const job = await request.post(`${runPath}/jobs`, { headers: auth(), data: { key: opts.job, platform: 'linux-x64' } });
  expect(job.ok(), await job.text()).toBeTruthy();
  const multipart: Record<string, { name: string; mimeType: string; buffer: Buffer }> = {};
  opts.files.forEach((f, i) => {
    const file = f.startsWith('/') ? f : corpus(f);
    multipart[`file${i}`] = { name: path.basename(file), mimeType: 'application/xml', buffer: fs.readFileSync(file) };
  });
  const res = await request.post(`${runPath}/jobs/${encodeURIComponent(opts.job)}/test-results`, {
    headers: auth(),
    multipart,
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  return res.json();
}

/**
 * Collects console errors and page errors; call `check()` at the end of a
 * test (or after each page of a sweep, with the page's URL; `check`
 * starts a new collection). The browser's own notes about 4xx answers are
 * left out: tests that expect a refusal assert its status and message
 * directly.
 */
export function watchConsole(page: Page) {
  let errors: string[] = [];
  page.on('console', (m) => {
    const expectedRefusal = /^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text());
    if (m.type() === 'error' && !expectedRefusal) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    check: (where?: string) => {
      const seen = errors;
      errors = [];
      expect(seen, `${where ? `${where}: ` : ''}${seen.join('\n')}`).toEqual([]);
    },
  };
}

export const ADMIN = { user: 'e2e-admin', password: 'admin-password-123' };
export const VIEWER = { user: 'viewer1', password: 'viewer-password-123' };

export async function signIn(page: Page, who: { user: string; password: string }) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(who.user);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('header .who')).toHaveText(who.user);
}

/** Clicks are lost before hydration; wait for it. */
export async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]');
}
