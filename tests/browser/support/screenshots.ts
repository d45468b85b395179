import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { byTestId, DESKTOP, PHONE } from './app-page';
import { PROJECT_ROOT } from './web-build';

/**
 * The tracked pictures in docs/screenshots change only when asked (`UPDATE_SCREENSHOTS=1`); every other run
 * writes to the ignored test-results/screenshots, so a test run leaves the working tree clean.
 */
export const SCREENSHOT_DIR = join(
  PROJECT_ROOT,
  process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots',
);

const PANELS = {
  connection: 'connection-bar',
  session: 'session-panel',
  topics: 'topics-panel',
  chat: 'chat-panel',
} as const;

/**
 * Writes `{desktop,phone}-{overview,connection,session,topics,chat}.png`: the whole page at each width, then
 * each panel on its own. Animations are frozen so the images do not depend on timing.
 */
export async function shootPanels(page: Page, suffix = ''): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const written: string[] = [];
  for (const [width, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => {
      for (const notice of document.querySelectorAll('.notice')) notice.remove();
      window.scrollTo(0, 0);
    });
    const overview = `${width}-overview${suffix}.png`;
    await page.screenshot({
      path: join(SCREENSHOT_DIR, overview),
      animations: 'disabled',
      caret: 'hide',
      fullPage: width === 'desktop',
    });
    written.push(overview);
    if (suffix) continue;
    for (const [name, testId] of Object.entries(PANELS)) {
      const file = `${width}-${name}.png`;
      await page
        .locator(byTestId(testId))
        .screenshot({ path: join(SCREENSHOT_DIR, file), animations: 'disabled', caret: 'hide' });
      written.push(file);
    }
  }
  await page.setViewportSize(DESKTOP);
  return written;
}
