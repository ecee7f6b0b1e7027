/**
 * Headless Chromium for the console tests: Debian's own `chromium` package, driven by
 * playwright-core (never a browser that Playwright downloads). A missing browser fails the test
 * with a message that names it: a browser test that skips silently proves nothing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches headless Chromium (`executablePath`: Debian's unless a test says otherwise), or throws naming the package to install. */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`chromium is not installed (${executablePath} is missing): the console's browser tests need Debian's chromium — run \`apt-get install -y chromium\` (.ci/run installs it)`);
  }
  return chromium.launch({ executablePath, headless: true, args: LAUNCH_ARGS });
}
