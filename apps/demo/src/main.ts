/**
 * `pnpm demo [scenario] [flags]`: parses the command line, runs the demo, and handles Ctrl-C: the first
 * stops the producers so the streams drain and a partial summary is printed, a second aborts at once
 * (exit code 130). Exit codes are listed in `--help`.
 */
import { demoProgram } from './cli/demo-program.js';
import { ExitCodes, runDemo } from './cli/run-demo.js';

const stop = { requested: false };

const program = demoProgram(async (scenario, flags) => {
  const run = runDemo(
    scenario,
    flags,
    { stdout: process.stdout, stderr: process.stderr, env: process.env },
    stop,
  );
  process.on('SIGINT', () => {
    if (stop.requested) {
      run.reporter.close();
      process.stderr.write('\ndemo: aborted\n');
      process.exit(ExitCodes.interrupted);
    }
    stop.requested = true;
    run.reporter.message(
      'demo: Ctrl-C: the producers stop, the streams drain, then a partial summary (Ctrl-C again aborts)',
    );
  });
  const code = await run.done;
  // Flush stdout before leaving: a pipe may still hold the summary.
  process.stdout.write('', () => process.exit(code));
});
program.exitOverride((error) => {
  process.exit(error.exitCode === 0 ? 0 : ExitCodes.usage);
});
await program.parseAsync(process.argv);
