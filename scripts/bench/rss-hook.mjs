// Preloaded into a benchmarked node process: records its peak RSS (KiB) at exit.
import fs from 'node:fs';
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
