import { expect, test } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN, hydrated, signIn, watchConsole } from './helpers';

/** The Hawk credentials serve-fresh.sh made for project "treeherder". */
const hawk = () => {
  const [id, secret] = fs.readFileSync(path.resolve(__dirname, '../.state/hawk-treeherder'), 'utf8').trim().split(' ');
  return { id, secret };
};

const sample = (rel: string) => path.resolve(__dirname, '../../../shared/corpus/treeherder', rel);

/** An Authorization header as treeherder-client's requests-hawk/mohawk sign a POST. */
function hawkHeader(url: URL, body: string, creds = hawk()): string {
  const { id, secret } = creds;
  const ts = Math.floor(Date.now() / 1000).toString();
  const nonce = crypto.randomBytes(6).toString('base64url');
  const hash = crypto.createHash('sha256').update(`hawk.1.payload\napplication/json\n${body}\n`).digest('base64');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const normalized = `hawk.1.header\n${ts}\n${nonce}\nPOST\n${url.pathname}${url.search}\n${url.hostname}\n${port}\n${hash}\n\n`;
  const mac = crypto.createHmac('sha256', secret).update(normalized).digest('base64');
  return `Hawk id="${id}", ts="${ts}", nonce="${nonce}", hash="${hash}", mac="${mac}"`;
}

test('a job posted to the Treeherder door shows with its symbols, Job Info and logs', async ({ page, request }, info) => {
  const base = info.project.use.baseURL as string;
  const post = async (endpoint: string, data: unknown) => {
    const url = new URL(`/treeherder/api/project/treeherder/${endpoint}/`, base);
    const body = JSON.stringify(data);
    const r = await request.post(url.toString(), {
      headers: { Authorization: hawkHeader(url, body), 'Content-Type': 'application/json' },
      data: body,
    });
    expect(r.ok(), await r.text()).toBeTruthy();
  };
  const push = JSON.parse(fs.readFileSync(sample('push_data.json'), 'utf8'))[0];
  const job = JSON.parse(fs.readFileSync(sample('job_data.txt'), 'utf8').split('\n')[0]);
  job.revision = push.revision;
  job.job.result = 'testfailed';
  await post('resultset', [push]);
  await post('jobs', [job]);
  await post('jobs', [job]);
  await post('artifact', [{
    job_guid: job.job.job_guid, name: 'Job Info', type: 'json',
    blob: { job_details: [
      { content_type: 'link', title: 'artifact uploaded', value: 'live_backing.log', url: 'https://ci.example/live_backing.log' },
      { content_type: 'raw_html', title: 'Summary', value: '<b onclick="window.pwned=1">3 failures</b><script>window.pwned=2</script><a href="javascript:window.pwned=3">more</a>' },
      { content_type: 'text', title: 'CPU usage', value: '87.5%' },
    ] },
  }]);

  const console = watchConsole(page);
  await page.goto('/projects/treeherder');
  await hydrated(page);
  await page.getByRole('link', { name: push.revision }).first().click();
  // One job, however often posted, named as Treeherder names it.
  const jobLink = page.getByRole('link', { name: job.job.name });
  await expect(jobLink).toHaveCount(1);
  await expect(page.locator(`tr[data-job="${job.job.job_guid}"] .job-labels`)).toHaveText('M-spi-nw(bc10), debug');
  await jobLink.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(job.job.name);
  await expect(page.locator('dl.meta').first()).toContainText('M-spi-nw(bc10)');
  const section = page.locator('section.treeherder');
  await expect(section.locator('.treeherder-symbol')).toHaveText('M-spi-nw(bc10)');
  await expect(section.locator('.treeherder-result')).toHaveText('completed / testfailed');
  await expect(section).toContainText('macmini-r8-146@example.com');
  await expect(section.getByRole('link', { name: 'errorsummary_json' })).toHaveAttribute('href', job.job.log_references[0].url);
  await expect(section.getByRole('link', { name: 'live_backing.log' })).toHaveAttribute('href', 'https://ci.example/live_backing.log');
  await expect(section.locator('.job-info-html b')).toHaveText('3 failures');
  await expect(section.locator('.job-info-html b')).not.toHaveAttribute('onclick', /.*/);
  await expect(section.locator('.job-info-html script')).toHaveCount(0);
  await expect(section.locator('.job-info-html a')).not.toHaveAttribute('href', /javascript/);
  await section.locator('.job-info-html a').click();
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await expect(section).toContainText('87.5%');
  console.check();
});

test('Hawk credentials made and revoked on the project settings page', async ({ page, request }, info) => {
  const base = info.project.use.baseURL as string;
  const post = async (creds: { id: string; secret: string }) => {
    const url = new URL('/treeherder/api/project/treeherder/resultset/', base);
    const body = JSON.stringify([{ revision: 'abcdef0123456789abcdef0123456789abcdef01', author: 'a@example.com', revisions: [] }]);
    return request.post(url.toString(), {
      headers: { Authorization: hawkHeader(url, body, creds), 'Content-Type': 'application/json' },
      data: body,
    });
  };
  const console = watchConsole(page);
  await signIn(page, ADMIN);
  await page.goto('/projects/treeherder/settings');
  await hydrated(page);
  const form = page.locator('form.create-hawk');
  await form.getByLabel('Client id').fill('settings-made');
  await form.getByRole('button', { name: 'Create Hawk credentials' }).click();
  const shown = page.locator('code[data-secret="hawk"]');
  await expect(shown).toContainText('settings-made ');
  const [id, secret] = (await shown.textContent())!.split(' ');
  expect((await post({ id, secret })).status()).toBe(200);
  const row = page.locator('tr[data-hawk="settings-made"]');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  const refused = await post({ id, secret });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).detail).toContain('revoked');
  console.check();
});
