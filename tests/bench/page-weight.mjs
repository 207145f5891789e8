// Page weight: every response the page loads until it is ready, as the
// browser's network log lists them (not a guessed file list), with raw and
// gzip -9 sizes. Models are not loaded, so only the app itself is weighed.
import { gzipSync } from 'node:zlib';

// `ready` runs in the page and is true once it has loaded all it loads at start.
export async function pageWeight(browser, url, ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pending = [];
  // Context-wide, so requests made by the page's worker are counted too.
  context.on('response', (response) => {
    pending.push(
      response.body().then(
        (body) => ({ url: response.url(), status: response.status(), body }),
        () => ({ url: response.url(), status: response.status(), body: Buffer.alloc(0) }),
      ),
    );
  });
  await page.goto(url);
  await page.waitForFunction(ready, null, { timeout: 60000 });
  await page.waitForLoadState('networkidle');
  const files = (await Promise.all(pending))
    .filter((f) => f.url.startsWith('http'))
    .map((f) => ({
      path: new URL(f.url).pathname,
      status: f.status,
      raw: f.body.length,
      gzip: gzipSync(f.body, { level: 9 }).length,
    }));
  await context.close();
  const total = files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });
  return { files, total };
}
