// An MCP SDK Client that declares form elicitation and answers every `elicitation/create` the
// way a human at the client would: accept (box ticked), accept without ticking, decline, cancel,
// or never (the dialog left open). It records each question asked.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';

export type HumanAnswer = 'accept' | 'accept-unticked' | 'decline' | 'cancel' | 'never';

export interface Question {
  message: string;
  requestedSchema: unknown;
  /** The JSON-RPC id of the `elicitation/create` request. */
  id: string | number;
}

export interface ElicitingClient {
  client: Client;
  asked: Question[];
  /** Resolves with the next question as soon as it arrives. */
  nextQuestion(): Promise<Question>;
  /** How the human answers from now on. */
  answerWith(answer: HumanAnswer): void;
}

export function elicitingClient(first: HumanAnswer): ElicitingClient {
  let answer = first;
  const client = new Client({ name: 'confirm-test', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  const asked: Question[] = [];
  let waiting: ((question: Question) => void)[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request, extra): Promise<ElicitResult> => {
    const params = request.params as { message: string; requestedSchema?: unknown };
    const question: Question = { message: params.message, requestedSchema: params.requestedSchema, id: extra.requestId };
    asked.push(question);
    for (const resolve of waiting) resolve(question);
    waiting = [];
    switch (answer) {
      case 'accept':
        return { action: 'accept', content: { confirm: true } };
      case 'accept-unticked':
        return { action: 'accept', content: { confirm: false } };
      case 'decline':
        return { action: 'decline' };
      case 'cancel':
        return { action: 'cancel' };
      case 'never':
        // Answered only if the SDK aborts the handler; the server must stop waiting on its own.
        return new Promise<ElicitResult>((resolve) => {
          extra.signal.addEventListener('abort', () => resolve({ action: 'cancel' }));
        });
    }
  });
  return {
    client,
    asked,
    nextQuestion: () => new Promise<Question>((resolve) => waiting.push(resolve)),
    answerWith: (next) => {
      answer = next;
    },
  };
}
