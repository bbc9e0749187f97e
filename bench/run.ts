/**
 * `make bench`: runs every bench/*.bench.ts in its own process, one after another (they share a
 * 2-core machine, so never in parallel), and prints each one's figures under its name.
 */
import { Glob } from "bun";

const files = [...new Glob("*.bench.ts").scanSync(import.meta.dir)].sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/${file}`], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await child.exited) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
