// `npm run admin -- <command>`: staff accounts from an operator's shell, the way the
// first admin comes to exist. A thin layer over use-cases/staff.ts: it parses the
// arguments, opens the database, prints the outcome and exits with a code a script can
// test (sysexits: 64 bad usage, 65 refused by the data, 78 bad configuration).
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/index.ts';
import { closeOrm, getOrm } from '../db/orm.ts';
import { TOKEN_TTL_MS } from '../domain/accounts.ts';
import { HOUR } from '../domain/time.ts';
import {
  StaffCommandError,
  createStaffAccount,
  listStaff,
  parseRoleList,
  parseStaffRole,
  resealMfaSeeds,
  setStaffRole,
  type StaffDeps,
  type StaffSummary,
} from '../use-cases/staff.ts';
import { startDevPostgresIfNeeded } from './stack/database.ts';

const EXIT = { ok: 0, usage: 64, refused: 65, failed: 70 } as const;

const USAGE = `Usage: npm run admin -- <command> [options]

  create-admin --email <address> --name <name>
  create-staff --email <address> --name <name> --role support|legal|operator|admin
      A verified staff account with no password yet, and a one-time enrolment link
      (valid ${TOKEN_TTL_MS.staff_enrolment / HOUR} hours) to hand to the person: they choose a password there,
      sign in and turn on two-factor authentication before any staff page opens.
      Run again before they enrol: a new link (the old one stops working).
  set-roles --email <address> --roles <role> [--reason <text>]
      Gives the account one role (creator removes staff access); its sessions end.
  list-staff [--json]
      Every staff account: email, role, whether a password and two-factor are set.
  reseal-mfa
      After SESSION_SECRET was changed: seals every two-factor seed again under the new
      one. The old secret comes from OLD_SESSION_SECRET in the environment.

Every command is recorded in the audit log. Database: DATABASE_URL, or the development
PostgreSQL. Exit codes: 0 done (or nothing to do), 64 bad usage, 65 refused, 78 bad
configuration.`;

function table(rows: StaffSummary[]): string {
  if (rows.length === 0) return 'No staff accounts yet. Make the first with: npm run admin -- create-admin';
  const lines = rows.map((r) => [
    r.email,
    r.role,
    r.status,
    r.passwordSet ? 'yes' : 'no (not enrolled)',
    r.mfaEnabled ? 'on' : 'off',
    r.createdAt.toISOString().slice(0, 10),
  ]);
  const header = ['email', 'role', 'status', 'password', 'two-factor', 'created'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines]
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(deps: StaffDeps, command: string, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      roles: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  switch (command) {
    case 'create-admin':
    case 'create-staff': {
      const role = command === 'create-admin' ? 'admin' : parseStaffRole(values.role);
      const result = await createStaffAccount(deps, {
        email: values.email ?? '',
        name: values.name ?? '',
        role,
      });
      const who = `${result.account.email} (${result.account.role})`;
      if (result.outcome === 'already_enrolled') {
        console.log(
          `${who} already exists and has chosen a password; nothing changed. ` +
            'A forgotten password is reset from the sign-in page.',
        );
        return EXIT.ok;
      }
      console.log(
        result.outcome === 'created'
          ? `Created the staff account ${who}.`
          : `${who} exists but has not enrolled yet: here is a new link; the earlier one no longer works.`,
      );
      // The one place an enrolment link is shown: to the operator who ran this command, to
      // hand to the person. It is a credential until used; it is never logged or stored.
      console.log(
        `One-time enrolment link, valid until ${result.expiresAt.toISOString()}:\n\n  ${result.enrolmentLink}\n\n` +
          'The person opens it, chooses a password, signs in, and turns on two-factor ' +
          'authentication under Account > Security; staff pages open only after that.',
      );
      return EXIT.ok;
    }
    case 'set-roles': {
      const role = parseRoleList(values.roles ?? values.role);
      const result = await setStaffRole(deps, { email: values.email ?? '', role, reason: values.reason });
      console.log(
        result.outcome === 'unchanged'
          ? `${result.account.email} already has role ${role}; nothing changed.`
          : `${result.account.email}: role ${result.from} -> ${role}; ${result.revokedSessions} session(s) ended.`,
      );
      return EXIT.ok;
    }
    case 'list-staff': {
      const staff = await listStaff(deps);
      console.log(values.json ? JSON.stringify(staff) : table(staff));
      return EXIT.ok;
    }
    case 'reseal-mfa': {
      // A one-off input of this command, not platform configuration; taken from the
      // environment because a command line is visible to every user of the machine.
      const oldSecret = process.env.OLD_SESSION_SECRET;
      if (!oldSecret) {
        throw new StaffCommandError('usage', 'Set OLD_SESSION_SECRET to the secret SESSION_SECRET replaced.');
      }
      const counts = await resealMfaSeeds(deps, { oldSecret });
      console.log(
        `Two-factor seeds: ${counts.resealed} re-sealed, ${counts.alreadyCurrent} already under the new secret, ` +
          `${counts.unreadable} readable with neither (their owners reset two-factor with a recovery code).`,
      );
      return counts.unreadable > 0 ? EXIT.refused : EXIT.ok;
    }
    default:
      throw new StaffCommandError('usage', command ? `Unknown command "${command}".` : 'No command given.');
  }
}

const [command = '', ...args] = process.argv.slice(2);
if (command === 'help' || command === '--help' || command === '-h') {
  console.log(USAGE);
  process.exit(EXIT.ok);
}
const COMMANDS = ['create-admin', 'create-staff', 'set-roles', 'list-staff', 'reseal-mfa'];
if (!COMMANDS.includes(command)) {
  process.stderr.write(`${command ? `Unknown command "${command}".` : 'No command given.'}\n\n${USAGE}\n`);
  process.exit(EXIT.usage);
}
const config = loadConfigOrExit();
let local: Awaited<ReturnType<typeof startDevPostgresIfNeeded>>;
let code: number;
try {
  local = await startDevPostgresIfNeeded(config);
  const orm = await getOrm(config.database);
  const pending = await orm.migrator.getPending();
  if (pending.length > 0) {
    throw new StaffCommandError(
      'refused',
      `The database lacks ${pending.length} migration(s); apply them first: npm run db -- migrate`,
    );
  }
  code = await run({ orm, config }, command, args);
} catch (err) {
  if (err instanceof StaffCommandError) {
    process.stderr.write(`${err.message}\n`);
    if (err.kind === 'usage') process.stderr.write(`\n${USAGE}\n`);
    code = EXIT[err.kind];
  } else if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    code = EXIT.usage;
  } else {
    process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
    code = EXIT.failed;
  }
} finally {
  await closeOrm(config.database);
  await local?.stop();
}
process.exit(code);
