import { defineConfig } from "@playwright/test";

// Browser tests in Debian's chromium (Playwright's own browser downloads
// cannot work here).  test/e2e/in-cluster.sh sets up the database and the
// app, and the environment these tests read.
export default defineConfig({
  testDir: "test/e2e",
  outputDir: "test-results/e2e",
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.DASHBOARD_URL ?? "http://127.0.0.1:3210",
    browserName: "chromium",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    viewport: { width: 1280, height: 900 },
    screenshot: "only-on-failure",
    trace: "off",
  },
});
