/**
 * Loaded into `n8n execute` with NODE_OPTIONS=--require by bench/n8n-memory.ts:
 * samples the process's own memory every 20 ms (rss, V8 heap used/total,
 * external, array buffers) and writes the samples to $MEMORY_PROBE_DIR/<pid>.json
 * when the process exits. MEMORY_PROBE_V8_FLAGS sets V8 flags that NODE_OPTIONS
 * refuses (e.g. --trace-gc).
 */
const fs = require('node:fs');
const v8 = require('node:v8');

if (process.env.MEMORY_PROBE_V8_FLAGS) v8.setFlagsFromString(process.env.MEMORY_PROBE_V8_FLAGS);
const dir = process.env.MEMORY_PROBE_DIR;
if (dir) {
	const samples = [];
	const sample = () => {
		const m = process.memoryUsage();
		samples.push({ at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers });
	};
	setInterval(sample, 20).unref();
	process.on('exit', () => {
		sample();
		try {
			fs.writeFileSync(`${dir}/${process.pid}.json`, JSON.stringify({ argv: process.argv.slice(1, 3), samples }));
		} catch {
			/* the probe never fails the process */
		}
	});
}
