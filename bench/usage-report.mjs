// Loaded with --import by bench/bounds.ts into the CLI it measures: at the process's end, the CPU
// time and peak memory it used, on stderr, where the benchmark reads them.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nmaxrss-kb ${usage.maxRSS} cpu-us ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
