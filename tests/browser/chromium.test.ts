import { existsSync } from 'node:fs';
import { findChromium, launchChromium } from './support/chromium';

describe('the browser the tests run', () => {
  it('is the Chromium packaged on npm when CHROMIUM_PATH is not set, and it launches', async () => {
    const build = findChromium({});
    expect(build.source).toBe('@sparticuz/chromium');
    expect(existsSync(build.executablePath)).toBe(true);

    const saved = process.env.CHROMIUM_PATH;
    delete process.env.CHROMIUM_PATH;
    try {
      const browser = await launchChromium();
      const page = await browser.newPage();
      await page.setContent('<p id="p">packaged</p>');
      expect(await page.textContent('#p')).toBe('packaged');
      await browser.close();
    } finally {
      if (saved !== undefined) process.env.CHROMIUM_PATH = saved;
    }
  });

  it('is CHROMIUM_PATH when set, and says so when that file does not exist', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toMatchObject({
      source: 'CHROMIUM_PATH',
      executablePath: process.execPath,
    });
    expect(() => findChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).toThrow(
      'CHROMIUM_PATH is /nowhere/chromium, which does not exist',
    );
  });
});
