// Helpers the browser suites share (smoke.mjs, batch.mjs).

// Picks an example in the playground's menu and waits until it is open (examples other than the
// seed are fetched on first use, web/src/examples.rs, so the page changes a moment later): `which`
// is an option's value or `{ index }`.
export async function openExample(page, which) {
  const value = typeof which === "object"
    ? await page.locator("#example option").nth(which.index).getAttribute("value")
    : String(which);
  await page.selectOption("#example", value);
  await page.waitForSelector(`#example[data-open="${value}"]`, { timeout: 30_000 });
}
