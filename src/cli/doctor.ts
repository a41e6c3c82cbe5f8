import type { Command } from 'commander';

/** `policy-desk doctor`: configuration, database, extensions, embedder, corpus and job queue. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('Check configuration, database, extensions, embedder and corpus status.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { doctor, formatDoctor } = await import('../app/doctor.ts');
      const report = await doctor();
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
