import { expect, test, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADMIN, VIEWER, hydrated, signIn, upload, watchConsole } from './helpers';
import { seed } from './seed';

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.locator('header [data-nav="login"]')).toBeVisible();
}

test.beforeAll(async ({ request }) => {
  await seed(request);
});

test('an admin signs in, creates a project and a token, CI uploads with it, the run shows; sign out', async ({ page, request }) => {
  const console = watchConsole(page);
  await signIn(page, ADMIN);
  await page.locator('header [data-nav="admin"]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administration');
  await page.getByRole('link', { name: 'Projects' }).last().click();
  await page.getByLabel('Slug').fill('ui-made');
  await page.getByLabel('Name').fill('Made in the UI');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(/\/projects\/ui-made\/settings$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Made in the UI settings');

  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = page.locator('[data-secret="token"]');
  await expect(secret).toHaveText(/^assay_[A-Za-z0-9]{32}$/);
  const token = (await secret.textContent())!.trim();
  await expect(page.locator('table.tokens tbody tr')).toHaveCount(1);

  // CI uploads with the new token, through the API.
  const auth = { Authorization: `Bearer ${token}` };
  const api = '/api/v1/projects/ui-made';
  expect((await request.post(`${api}/runs`, { headers: auth, data: { name: 'nightly-1', branch: 'main' } })).status()).toBe(201);
  expect((await request.post(`${api}/runs/nightly-1/jobs`, { headers: auth, data: { key: 'unit' } })).status()).toBe(201);
  const up = await request.post(`${api}/runs/nightly-1/jobs/unit/test-results`, {
    headers: auth,
    multipart: { file: { name: 'r.xml', mimeType: 'application/xml', buffer: Buffer.from('<testsuite name="s"><testcase name="t"><failure message="boom"/></testcase></testsuite>') } },
  });
  expect(up.status(), await up.text()).toBe(200);

  await page.goto('/projects/ui-made');
  await expect(page.locator('tr[data-run="nightly-1"] [data-count="failed"]')).toHaveText('1 failed');
  await expect(page.getByRole('link', { name: 'Project settings' })).toBeVisible();

  // The audit log names the token that uploaded.
  await page.getByRole('link', { name: 'Project settings' }).click();
  await expect(page.locator('table.audit')).toContainText('upload.create');
  await expect(page.locator('table.audit')).toContainText(token.slice(0, 12));

  await signOut(page);
  await page.goto('/projects/ui-made');
  await expect(page.getByRole('link', { name: 'Project settings' })).toHaveCount(0);
  console.check();
});

test('a viewer sees no admin pages or settings, and is refused them', async ({ page }) => {
  const console = watchConsole(page);
  // The admin makes viewer1 a viewer of e2e.
  await signIn(page, ADMIN);
  await page.goto('/projects/e2e/settings');
  await hydrated(page);
  await page.getByLabel('Username').fill(VIEWER.user);
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Add or change member' }).click();
  await expect(page.locator('tr[data-member="viewer1"]')).toBeVisible();
  await signOut(page);

  await signIn(page, VIEWER);
  await expect(page.locator('header [data-nav="admin"]')).toHaveCount(0);
  await page.goto('/projects/e2e');
  await expect(page.locator('table.runs tbody tr').first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Project settings' })).toHaveCount(0);
  for (const path of ['/admin/users', '/admin/settings', '/projects/e2e/settings']) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole('alert')).toContainText('Not allowed');
  }
  await signOut(page);
  const res = await page.goto('/admin/users');
  expect(res?.status()).toBe(401);
  await expect(page.getByRole('alert')).toContainText('Sign in');
  console.check();
});

test('wrong passwords are refused with a message', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(ADMIN.user);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.form-error')).toHaveText('wrong username or password');
  await expect(page.locator('header [data-nav="login"]')).toBeVisible();
  console.check();
});

test('names with HTML are shown as text everywhere', async ({ page }) => {
  const console = watchConsole(page);
  const hostileUser = '<script>window.__pwned=1</script>';
  const hostileProject = '</title><img src=x onerror="window.__pwned=2">';
  await page.addInitScript(() => {
    (window as unknown as { __pwned?: number }).__pwned = undefined;
  });
  await signIn(page, ADMIN);
  await page.goto('/admin/users');
  await hydrated(page);
  await page.getByLabel('Username').fill(hostileUser);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.locator('[data-secret="password"]')).toBeVisible();
  const oneTime = ((await page.locator('[data-secret="password"]').textContent()) ?? '').trim();
  await expect(page.locator('table.users')).toContainText(hostileUser);

  await page.goto('/admin/projects');
  await hydrated(page);
  await page.getByLabel('Slug').fill('hostile');
  await page.getByLabel('Name').fill(hostileProject);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(/\/projects\/hostile\/settings$/);
  await page.getByLabel('Username').fill(hostileUser);
  await page.getByRole('button', { name: 'Add or change member' }).click();
  await expect(page.locator('table.members')).toContainText(hostileUser);

  for (const path of ['/', '/admin/projects', '/admin/users', '/admin/audit', '/projects/hostile', '/projects/hostile/settings']) {
    await page.goto(path);
    await hydrated(page);
    await expect(page.locator('body')).toContainText(path.includes('users') ? hostileUser : hostileProject);
  }
  // Signed in, the hostile user's own name is in the header and on the
  // account page, which asks for a password of their own first.
  await signOut(page);
  await signIn(page, { user: hostileUser, password: oneTime });
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('main')).toContainText(hostileUser);
  await page.goto('/projects/hostile');
  await hydrated(page);
  await expect(page.locator('header .who')).toHaveText(hostileUser);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('script:text("__pwned")').count()).toBe(0);
  console.check();
});

test('run, job and test names with HTML are shown as text, titles included', async ({ page, request }) => {
  const console = watchConsole(page);
  const run = '</title><script>window.__pwned=3</script>';
  const job = '<img src=x onerror="window.__pwned=4">';
  const testName = '</title><img src=x onerror="window.__pwned=5">';
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const file = path.join(os.tmpdir(), `hostile-${process.pid}.xml`);
  fs.writeFileSync(
    file,
    `<testsuite name="s"><testcase classname="c" name="${xml(testName)}"><failure message="${xml(testName)}">at ${xml(run)}</failure></testcase></testsuite>`,
  );
  await upload(request, { project: 'xss', run, job, files: [file] });
  await page.addInitScript(() => {
    (window as unknown as { __pwned?: number }).__pwned = undefined;
  });
  await page.goto('/projects/xss');
  await hydrated(page);
  await page.getByRole('link', { name: run }).click();
  await expect(page.locator('h1')).toContainText(run);
  const runUrl = page.url();
  await page.getByRole('link', { name: job }).click();
  await expect(page.locator('h1')).toContainText(job);
  const jobUrl = page.url();
  await page.getByRole('link', { name: testName }).first().click();
  await expect(page.locator('body')).toContainText(`at ${run}`);
  for (const url of [runUrl, jobUrl, page.url()]) {
    // The server-rendered title, before any script runs.
    const html = await (await request.get(url)).text();
    const title = /<title>([\s\S]*?)<\/title>/.exec(html)?.[1] ?? '';
    expect(title).toContain('&lt;/title&gt;');
    await page.goto(url);
    await hydrated(page);
    expect(await page.title()).toContain(run);
  }
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('script:text("__pwned")').count()).toBe(0);
  console.check();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign in and out with plain forms', async ({ page }) => {
    await page.goto('/login?next=/projects/e2e');
    await page.getByLabel('Username').fill(ADMIN.user);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/projects\/e2e$/);
    await expect(page.locator('header .who')).toHaveText(ADMIN.user);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.locator('header [data-nav="login"]')).toBeVisible();

    await page.goto('/login');
    await page.getByLabel('Username').fill(ADMIN.user);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('.form-error')).toHaveText('wrong username or password');
  });

  test('a token created without JavaScript is shown once', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(ADMIN.user);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto('/projects/e2e/settings');
    await page.locator('form:has(button:text("Create token")) input[name="name"]').fill('no-js');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page).toHaveURL(/\/projects\/e2e\/settings/);
    await expect(page.locator('[data-secret="flash"]')).toContainText(/New write token no-js: assay_[A-Za-z0-9]{32}/);
    await expect(page.locator('tr[data-token]')).not.toHaveCount(0);
    await page.reload();
    await expect(page.locator('[data-secret="flash"]')).toHaveCount(0);
  });
});
