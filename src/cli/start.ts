import type { Command } from 'commander';
import { ensureCorpusWithProgress, withServices } from './shared.ts';

/** `policy-desk start`: the Slack app when Slack credentials are configured, else the local console. */
export function register(program: Command): void {
  program
    .command('start', { isDefault: false })
    .description('Run the app: the Slack app when Slack credentials are configured, else the local console.')
    .action(async () => {
      const { getConfig } = await import('../config.ts');
      const config = getConfig();
      if (config.slack.mode === 'off') {
        const { runConsole } = await import('../console/console.ts');
        await withServices(async (services) => {
          process.stdout.write('Policy Desk local console (no Slack credentials configured). Type /help for commands.\n');
          await ensureCorpusWithProgress(services);
          await runConsole(services, process.stdin, process.stdout);
        }, { migrations: 'apply' });
        return;
      }
      process.stdout.write(
        config.slack.mode === 'socket'
          ? 'Policy Desk Slack app, Socket Mode (SLACK_APP_TOKEN set; no public URL needed).\n'
          : `Policy Desk Slack app, HTTP mode: Slack events at http://0.0.0.0:${config.slack.port}/slack/events.\n`,
      );
      // Bolt loads only here, so the console and the other commands start without it.
      const { startSlackApp } = await import('../slack/app.ts');
      await withServices(async (services) => {
        await ensureCorpusWithProgress(services);
        const running = await startSlackApp(services);
        process.stdout.write(
          `Ready${running.mode === 'http' ? ` on port ${running.port} (POST /slack/events, GET /healthz)` : `; health check on port ${running.port} (GET /healthz)`}` +
            `${config.slack.apiUrl ? `, Web API at ${config.slack.apiUrl}` : ''}. Ctrl-C stops.\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        process.stdout.write('Stopping…\n');
        await running.stop();
      }, { migrations: 'apply' });
    });
}
