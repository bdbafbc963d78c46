/**
 * `pnpm demo [scenario] [flags]`: parses the command line and runs the demo, its scenarios in a child
 * process so that this process always answers Ctrl-C: the first stops the run and prints a partial summary
 * within a second, a second aborts at once (exit code 130). Exit codes are listed in `--help`.
 */
import { demoProgram } from './cli/demo-program.js';
import { ExitCodes, runDemo } from './cli/run-demo.js';

const program = demoProgram(async (scenario, flags) => {
  const run = runDemo(scenario, flags, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  process.on('SIGINT', () => run.interrupt());
  const code = await run.done;
  // Flush stdout before leaving: a pipe may still hold the summary.
  process.stdout.write('', () => process.exit(code));
});
program.exitOverride((error) => {
  process.exit(error.exitCode === 0 ? 0 : ExitCodes.usage);
});
await program.parseAsync(process.argv);
