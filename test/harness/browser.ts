import { chromium, type Browser } from 'playwright-core'
import { ensureDebianPackages, findChromium, requireChromium } from '@lienthong/infra'

interface Teardown { teardown: (fn: () => Promise<void> | void) => void }

/**
 * Debian's chromium, driven by playwright-core: no browser is ever downloaded. `npm test` installs
 * the package before the files run; a file run on its own installs it here when it is missing.
 * --no-sandbox because tests may run as root, where Chromium's sandbox refuses to start.
 */
export async function launchChromium (t: Teardown): Promise<Browser> {
  if (findChromium() === undefined) await ensureDebianPackages({ postgres: false, nats: false, chromium: true })
  const browser = await chromium.launch({ executablePath: requireChromium(), args: ['--no-sandbox', '--headless=new'] })
  t.teardown(async () => { await browser.close() })
  return browser
}
