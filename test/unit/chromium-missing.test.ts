/**
 * Without Chromium the console's browser test must fail, saying what is missing, never skip:
 * the launcher it uses refuses a missing browser with a message naming the package.
 */
import { launchChromium } from '../integration/support/browser';

test('a missing chromium fails with a message naming it and how to install it', async () => {
  await expect(launchChromium('/nonexistent/usr/bin/chromium')).rejects.toThrow(/chromium is not installed \(\/nonexistent\/usr\/bin\/chromium is missing\).*apt-get install -y chromium/);
});
