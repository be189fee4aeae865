// Reads a secret for a CLI without putting it on the command line (argv is visible to every
// user through `ps` and lands in shell history): the first line of stdin when it is piped,
// or a prompt with echo off on a terminal.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Password } from '../schemas/auth.js';

export async function readSecret(prompt: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
  }
  let muted = false;
  // Echo the prompt, then nothing of what is typed.
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(prompt, (answer) => resolve(answer));
      muted = true;
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** Why a CLI refuses `--password`: what every user on the computer can read is no secret. */
export const PASSWORD_ON_COMMAND_LINE =
  '--password is not accepted (the command line is visible in `ps`): type it at the prompt or pipe it on stdin';

/**
 * A new account password, read with readSecret and checked against the console's rule (Password):
 * the password, or why it cannot be used, for the command to say with its own outcome.
 */
export async function readNewPassword(prompt: string): Promise<{ password: string } | { refused: string }> {
  const parsed = Password.safeParse(await readSecret(prompt));
  return parsed.success
    ? { password: parsed.data }
    : { refused: `that password cannot be used (${parsed.error.issues.map((i) => i.message).join('; ')})` };
}
