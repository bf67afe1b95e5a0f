// Launch options for Debian's Chromium under playwright-core, shared by the e2e test and the budgets
// script (toolchain.md pitfall 8: background networking off, or the closed network refuses its connections).
export const launchOptions = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 900 },
};
