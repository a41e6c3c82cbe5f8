import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { listDocuments } from '../db/documents.ts';
import { isAppError, newReferenceId } from '../errors.ts';
import { ask, type Services } from '../app/services.ts';
import { renderAnswerText } from './render.ts';

const HELP = `Ask a question in plain words, e.g. "What are the three lines of effort in the implementation plan?"
Commands:
  /help   this help
  /docs   list the ingested documents
  summarize <file>   summarize a Slack thread export (conversations.replies JSON): agreements, decisions, owners, open questions
  /quit   leave (Ctrl-D works too)`;

/**
 * The local front end: the same ask() as Slack, rendered as text. Works interactively on a
 * terminal and non-interactively with questions piped on stdin (one per line).
 */
export async function runConsole(services: Services, input: Readable, output: Writable): Promise<void> {
  const interactive = Boolean((input as { isTTY?: boolean }).isTTY);
  const rl = readline.createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  const write = (s: string) => output.write(`${s}\n`);
  if (interactive) rl.setPrompt('policy-desk> ');
  rl.prompt?.();
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      if (interactive) rl.prompt();
      continue;
    }
    if (line === '/quit' || line === '/exit') break;
    if (line === '/help') write(HELP);
    else if (line === '/docs') {
      for (const d of await listDocuments(services.db)) write(`- ${d.title} (${d.publishedOn ?? 'undated'}) [${d.id}]`);
    } else if (/^\/?summari[sz]e\s+\S+\.json$/i.test(line)) {
      // "summarize <file>": only a .json path, so a question that starts with "summarize" is still a question.
      try {
        write(await summarizeFile(services, line.replace(/^\/?summari[sz]e\s+/i, '').trim()));
      } catch (err) {
        const ref = newReferenceId();
        services.logger.error({ err, ref }, 'console summary failed');
        write(isAppError(err) ? `Sorry, that failed: ${err.message}` : `Sorry, something went wrong (reference ${ref}).`);
      }
      write('');
    } else if (line.startsWith('/')) write(`Unknown command ${line.split(/\s/)[0]}. Type /help.`);
    else {
      if (!interactive) write(`Q: ${line}`);
      try {
        write(renderAnswerText(await ask(services, line)));
      } catch (err) {
        const ref = newReferenceId();
        services.logger.error({ err, ref }, 'console question failed');
        write(isAppError(err) ? `Sorry, that failed: ${err.message}` : `Sorry, something went wrong (reference ${ref}).`);
      }
      write('');
    }
    if (interactive) rl.prompt();
  }
  rl.close();
}

/** The same summarizer as Slack and the CLI, on an export file; attached files read from beside it. */
async function summarizeFile(services: Services, file: string): Promise<string> {
  const { slackFileHosts, readExportFile } = await import('../summarize/thread-export.ts');
  const { summarizeThread } = await import('../summarize/thread.ts');
  const { renderSummaryText } = await import('../summarize/render-text.ts');
  const slack = services.config.slack;
  const { input, files } = await readExportFile(file, { ...(slack.botToken ? { botToken: slack.botToken } : {}), tokenHosts: slackFileHosts(slack.apiUrl) });
  return renderSummaryText(await summarizeThread(services, input, { files }));
}
