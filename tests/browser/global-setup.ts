import { existsSync } from 'node:fs';
import { ensureWebAppBuilt } from '../../designer/scripts/build-if-stale.ts';
import { CHROMIUM_PATH } from './browser.ts';

/** Once per run: the browser is there, and designer/dist is built from the current sources. */
export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium fonts-noto-cjk (or run .ci/run, which installs them).`,
    );
  await ensureWebAppBuilt({ log: (line) => console.log(line) });
}
