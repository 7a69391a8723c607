#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// The floor is Node 22 (package.json engines). A clone pins Node 22 as a devDependency, so
// `npx mlp …` / `npm exec mlp …` run on it even where the system Node is older: say so, instead
// of failing somewhere deep in a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `mlp: needs Node.js 22.12 or newer; this is ${process.version}.\n` +
      'In a clone, run it through npm, which puts the pinned Node 22 first on the PATH: npx mlp …\n',
  );
  process.exit(2);
}
const { run } = await import('../dist/cli/main.js');
process.exitCode = await run(process.argv.slice(2));
