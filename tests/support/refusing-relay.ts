// A mail relay on loopback that answers some recipients as real relays do: 550 for a
// mailbox that does not exist (for good), 451 for one to try again later. Every other
// message is handed on to `forwardTo` (the test stack's mail catcher, so the usual mail
// helpers read it), or only recorded when there is none.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export interface RefusingRelay {
  smtpUrl: string;
  /** Answers 550 for the address from now on. */
  refuse(address: string): void;
  /** Answers 451 for the address from now on. */
  defer(address: string): void;
  /** Takes the address again. */
  accept(address: string): void;
  /** How many times the address was offered as a recipient, taken or not. */
  offered(address: string): number;
  /** The recipients of the messages taken, in order. */
  delivered: string[];
  close(): Promise<void>;
}

type Answer = 'refuse' | 'defer';

const ANSWERS: Record<Answer, { code: number; text: (address: string) => string }> = {
  refuse: { code: 550, text: (a) => `5.1.1 <${a}>: Recipient address rejected: User unknown` },
  defer: { code: 451, text: (a) => `4.7.1 <${a}>: Recipient address deferred: try again later` },
};

export async function startRefusingRelay(forwardTo?: string): Promise<RefusingRelay> {
  const answers = new Map<string, Answer>();
  const offers = new Map<string, number>();
  const delivered: string[] = [];
  const onward = forwardTo ? nodemailer.createTransport(forwardTo) : null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, done) {
      const key = address.address.toLowerCase();
      offers.set(key, (offers.get(key) ?? 0) + 1);
      const answer = answers.get(key);
      if (!answer) return done();
      const { code, text } = ANSWERS[answer];
      done(Object.assign(new Error(text(address.address)), { responseCode: code }));
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const handedOn = onward
          ? onward.sendMail({ envelope: { from, to }, raw: Buffer.concat(chunks) })
          : Promise.resolve();
        handedOn.then(
          () => {
            delivered.push(...to);
            done();
          },
          (err: Error) => done(err),
        );
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    refuse: (address) => void answers.set(address.toLowerCase(), 'refuse'),
    defer: (address) => void answers.set(address.toLowerCase(), 'defer'),
    accept: (address) => void answers.delete(address.toLowerCase()),
    offered: (address) => offers.get(address.toLowerCase()) ?? 0,
    delivered,
    async close() {
      onward?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
