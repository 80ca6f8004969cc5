// Fetch each URL RUNS times after 5 warm-up fetches, one at a time, and
// print the median, p95, min and max of the time to the last byte.
// Usage: node measure.mjs BASE RUNS PATH...
const [base, runsArg, ...paths] = process.argv.slice(2);
const runs = Number(runsArg);

async function once(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return { ms, bytes: body.length };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

console.log(`runs per URL: ${runs} (after 5 warm-up)`);
console.log("| URL | median ms | p95 ms | min ms | max ms | HTML KB |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const path of paths) {
  const url = base + path;
  for (let i = 0; i < 5; i++) await once(url);
  const times = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await once(url);
    times.push(r.ms);
    bytes = r.bytes;
  }
  times.sort((a, b) => a - b);
  const f = (x) => x.toFixed(1);
  console.log(`| \`${path}\` | ${f(pct(times, 50))} | ${f(pct(times, 95))} | ${f(times[0])} | ${f(times.at(-1))} | ${(bytes / 1024).toFixed(0)} |`);
}
