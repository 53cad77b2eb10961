import { Browser, chromium } from 'playwright-core';
import { CHROMIUM, ParleySystem } from '@parley/testing';

// Without the background-networking flags Chromium keeps dialling Google, which this network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, headless, as every browser test drives it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM.program, args: CHROMIUM_ARGS });
}

/** A system and a browser started at once; if one fails, the other is stopped rather than leaked. */
export async function startSystemAndBrowser(): Promise<{ system: ParleySystem; browser: Browser }> {
  const [started, launched] = await Promise.allSettled([ParleySystem.start(), launchChromium()]);
  if (started.status === 'fulfilled' && launched.status === 'fulfilled')
    return { system: started.value, browser: launched.value };
  if (started.status === 'fulfilled') await started.value.stop();
  if (launched.status === 'fulfilled') await launched.value.close();
  throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
}
