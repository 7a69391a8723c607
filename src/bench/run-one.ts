/**
 * One benchmark run in a fresh process (so peak RSS belongs to one size): load a synthetic
 * spec of N teams, synthesize, render and write the tree, run every check. Prints JSON.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecks } from '../check/run.js';
import { renderTree } from '../gitops/render.js';
import { writeTree } from '../gitops/write.js';
import { parseSpec } from '../spec/load.js';
import { allObjects } from '../synth/component.js';
import { synthesize } from '../synth/platform.js';
import { syntheticSpec } from './synthetic.js';

const teams = Number(process.argv[2]);
const out = process.argv[3]!;
const text = syntheticSpec(teams);
writeFileSync(join(out, 'platform.yaml'), text);

const t0 = performance.now();
const spec = parseSpec(text, 'platform.yaml');
const t1 = performance.now();
const env = spec.environments.get('local')!;
const components = synthesize(env);
const files = renderTree(components);
const t2 = performance.now();
writeTree(join(out, 'gitops', 'local'), files);
const t3 = performance.now();
const report = await runChecks(allObjects(components), env);
const t4 = performance.now();

console.log(
  JSON.stringify({
    teams,
    objects: allObjects(components).length,
    files: files.size,
    loadMs: t1 - t0,
    synthMs: t2 - t1,
    writeMs: t3 - t2,
    checkMs: t4 - t3,
    totalMs: t4 - t0,
    failed: report.summary.fail,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
