/**
 * The messages in `<dataDir>/queue/maildrop/` that the server has not picked up yet (it is not
 * running, or has not scanned since), for `queue list`. Like Postfix's showq, which lists the
 * maildrop too. A maildrop file is a queue file (@mailstack/mta queue-file.ts): one JSON
 * envelope line, then the message; a file whose envelope does not read is left out here (the
 * pickup moves it to corrupt/).
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isQueueId, type QueueEntry } from '@mailstack/mta';

// Envelopes of local submissions are small; reading stops at the first line break or here.
const MAX_ENVELOPE_BYTES = 1024 * 1024;

/** A message still in the maildrop, in the shape of a QueueEntry. */
export type MaildropEntry = Omit<QueueEntry, 'state'> & { state: 'maildrop' };

/** The readable maildrop files of a dataDir, oldest first. */
export async function listMaildrop(dataDir: string): Promise<MaildropEntry[]> {
  const dir = join(dataDir, 'queue', 'maildrop');
  const names = await readdir(dir).catch(() => [] as string[]);
  const entries: MaildropEntry[] = [];
  for (const id of names.filter(isQueueId).sort()) {
    const entry = await readMaildropFile(join(dir, id), id).catch(() => undefined); // picked up meanwhile
    if (entry) entries.push(entry);
  }
  return entries;
}

async function readMaildropFile(path: string, id: string): Promise<MaildropEntry | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, MAX_ENVELOPE_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const lf = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (lf < 0) return undefined;
    const envelope: unknown = JSON.parse(buffer.toString('utf8', 0, lf));
    if (!isEnvelope(envelope)) return undefined;
    return {
      id,
      state: 'maildrop',
      sender: envelope.sender,
      recipients: envelope.recipients.map((r) => ({ address: r.address, status: 'pending' })),
      arrivalAt: envelope.arrivalAt,
      sizeBytes: size - lf - 1,
      attempts: 0,
    };
  } finally {
    await handle.close();
  }
}

interface EnvelopeView {
  sender: string;
  recipients: { address: string }[];
  arrivalAt: number;
}

function isEnvelope(value: unknown): value is EnvelopeView {
  if (typeof value !== 'object' || value === null) return false;
  const { sender, recipients, arrivalAt } = value as Record<string, unknown>;
  return (
    typeof sender === 'string' &&
    typeof arrivalAt === 'number' &&
    Array.isArray(recipients) &&
    recipients.every((r: unknown) => typeof r === 'object' && r !== null && typeof (r as { address?: unknown }).address === 'string')
  );
}
