import { SLACK_LIMITS, truncate } from '../limits.ts';

/** Suggested prompts for a new assistant thread: real questions the bundled corpus answers. */
export function suggestedPrompts(): { title: string; prompts: Array<{ title: string; message: string }> } {
  const prompts = [
    { title: 'Lines of effort', message: 'What are the three lines of effort in the implementation plan?' },
    { title: 'Human rights in the 2023 policy', message: 'How does the 2023 conventional arms transfer policy treat the risk of human rights abuses?' },
    { title: 'What ISN/CATR does', message: 'What is the mission of the Office of Conventional Arms Threat Reduction?' },
    { title: 'UAV exports and the MTCR', message: 'What did the 2018 policy change for exports of unmanned aerial systems?' },
  ];
  return {
    title: 'Ask about U.S. conventional arms transfer policy',
    prompts: prompts.slice(0, SLACK_LIMITS.suggestedPrompts).map((p) => ({ title: truncate(p.title, SLACK_LIMITS.suggestedPromptTitle), message: p.message })),
  };
}

export function threadTitle(question: string): string {
  return truncate(question.replace(/\s+/g, ' ').trim(), Math.min(60, SLACK_LIMITS.assistantTitle));
}

export const SEARCHING_STATUS = 'is searching the policy documents…';
