#!/usr/bin/env node
// Imports the Pod Security fixture pods of k8s.io/pod-security-admission (test/testdata/
// <level>/<version>/<pass|fail>/*.yaml, generated upstream by TestFixtures from
// test/fixtures_*.go) into testdata/pod-security/upstream-fixtures.json: each distinct pod once,
// and for every level/version the pods it must admit and refuse. Usage:
//   node scripts/import-pss-fixtures.mjs <git dir of kubernetes/pod-security-admission> [commit]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const [gitDir, commit = 'HEAD'] = process.argv.slice(2);
if (!gitDir) throw new Error('usage: import-pss-fixtures.mjs <git dir> [commit]');
const git = (...args) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const sha = git('rev-parse', commit).trim();
const files = git('ls-tree', '-r', '--name-only', sha, 'test/testdata')
  .split('\n')
  .filter((f) => /^test\/testdata\/(baseline|restricted)\/v1\.\d+\/(pass|fail)\/.+\.yaml$/.test(f));
const pods = {};
const cases = [];
for (const file of files) {
  const [, , level, version, expect, name] = file.split('/');
  const text = git('show', `${sha}:${file}`);
  const pod = parse(text);
  const id = createHash('sha256').update(JSON.stringify(pod)).digest('hex').slice(0, 12);
  pods[id] = pod;
  cases.push([level, version, expect, name.replace(/\.yaml$/, ''), id]);
}
const out = {
  source: `github.com/kubernetes/pod-security-admission@${sha} test/testdata (generated from test/fixtures_*.go)`,
  cases,
  pods,
};
writeFileSync('testdata/pod-security/upstream-fixtures.json', `${JSON.stringify(out)}\n`);
console.log(`${cases.length} cases, ${Object.keys(pods).length} distinct pods`);
