import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, DEFAULT_LIMITS } from 'mailstack';

const FILE = '/etc/mailstack/mailstack.yaml';
const parse = (text: string) => parseConfig(text, { file: FILE, hostname: 'Box.Example.Test' });

// SPEC.md §2, verbatim.
const SPEC_EXAMPLE = `hostname: mail.example.test        # banner and HELO name (default: the OS host name)
domains: [example.test]            # final-destination domains (Postfix's mydestination)
dataDir: ./mailstack-data          # queue, homes, TLS material, state
users: ./users                     # Dovecot passwd-file format (below)
tls:                               # optional: without it a self-signed certificate for
  cert: ./cert.pem                 #   \`hostname\` is generated in dataDir/tls on first start
  key: ./key.pem
listen:                            # each value: "host:port" or a list of them; omit to disable
  smtp: 127.0.0.1:2525             # inbound MTA (port 25's role); STARTTLS offered
  submission: 127.0.0.1:2587       # AUTH required before MAIL; STARTTLS offered
  submissions: 127.0.0.1:2465      # submission over implicit TLS
  pop3: 127.0.0.1:2110             # STLS offered
  pop3s: 127.0.0.1:2995
  imap: 127.0.0.1:2143             # STARTTLS offered
  imaps: 127.0.0.1:2993
mynetworks: [127.0.0.0/8, "::1/128"]  # may relay without AUTH (Postfix semantics); [] = nobody
aliases: ./aliases                 # optional, /etc/aliases format: name: user, addr, "|cmd", /file
transport:                         # optional, Postfix transport-map semantics: domain -> next hop
  remote.test: "[127.0.0.1]:2626"  #   [host]:port = no MX lookup
relayhost: null                    # optional smarthost for all non-local mail
filter: null                       # optional global procmailrc run before each user's own
limits:
  messageSize: 52428800            # bytes; SIZE advertised and enforced
allowPlaintextAuth: false          # plaintext AUTH/LOGIN/USER only over TLS or from loopback
`;

function errorOf(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: the SPEC.md §2 example', () => {
  const config = parse(SPEC_EXAMPLE);

  it('reads every key, resolving paths against the config folder', () => {
    expect(config).toMatchObject({
      source: FILE,
      hostname: 'mail.example.test',
      domains: ['example.test'],
      dataDir: '/etc/mailstack/mailstack-data',
      users: '/etc/mailstack/users',
      tls: { cert: '/etc/mailstack/cert.pem', key: '/etc/mailstack/key.pem' },
      aliases: '/etc/mailstack/aliases',
      relayhost: undefined,
      filter: undefined,
      allowPlaintextAuth: false,
      limits: { ...DEFAULT_LIMITS, messageSize: 52428800 },
    });
    expect(config.listen).toEqual({
      smtp: [{ host: '127.0.0.1', port: 2525 }],
      submission: [{ host: '127.0.0.1', port: 2587 }],
      submissions: [{ host: '127.0.0.1', port: 2465 }],
      pop3: [{ host: '127.0.0.1', port: 2110 }],
      pop3s: [{ host: '127.0.0.1', port: 2995 }],
      imap: [{ host: '127.0.0.1', port: 2143 }],
      imaps: [{ host: '127.0.0.1', port: 2993 }],
    });
    expect([...config.transport]).toEqual([['remote.test', { host: '127.0.0.1', port: 2626, mxLookup: false }]]);
    expect(config.mynetworks.entries).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('matches mynetworks for IPv4, IPv6 and IPv4-mapped addresses', () => {
    expect(config.mynetworks.contains('127.0.0.1')).toBe(true);
    expect(config.mynetworks.contains('127.255.1.2')).toBe(true);
    expect(config.mynetworks.contains('::ffff:127.0.0.1')).toBe(true);
    expect(config.mynetworks.contains('::1')).toBe(true);
    expect(config.mynetworks.contains('0:0:0:0:0:0:0:1')).toBe(true);
    expect(config.mynetworks.contains('128.0.0.1')).toBe(false);
    expect(config.mynetworks.contains('::2')).toBe(false);
    expect(config.mynetworks.contains('not an ip')).toBe(false);
  });
});

describe('parseConfig: defaults and forms', () => {
  it('an empty file is the default with paths under the config folder', () => {
    const config = parse('# nothing here\n');
    expect(config.hostname).toBe('box.example.test');
    expect(config.domains).toEqual(['localhost', 'box.example.test']);
    expect(config.dataDir).toBe('/etc/mailstack/mailstack-data');
    expect(config.users).toBe('/etc/mailstack/mailstack-data/users');
    expect(config.listen.smtp).toEqual([{ host: '127.0.0.1', port: 2525 }]);
    expect(config.queue.retry).toEqual({ firstMs: 300_000, maxMs: 4_000_000, lifetimeMs: 432_000_000 });
    expect(config.timeouts).toEqual({ smtpMs: 300_000, pop3Ms: 600_000, imapMs: 1_800_000, shutdownMs: 30_000 });
  });

  it('users defaults to dataDir/users when dataDir is set', () => {
    expect(parse('dataDir: /var/mail/stack\n').users).toBe('/var/mail/stack/users');
  });

  it('listen takes a list, IPv6 in brackets, and omitting a listener disables it', () => {
    const config = parse('listen:\n  smtp: ["127.0.0.1:2525", "[::1]:2525"]\n  imap: "[::]:0"\n');
    expect(config.listen).toEqual({
      smtp: [{ host: '127.0.0.1', port: 2525 }, { host: '::1', port: 2525 }],
      imap: [{ host: '::', port: 0 }],
    });
  });

  it('accepts JSON', () => {
    const config = parse('{"hostname": "json.example.test", "mynetworks": ["10.0.0.0/8", "2001:db8::/32"], "allowPlaintextAuth": true}');
    expect(config.hostname).toBe('json.example.test');
    expect(config.allowPlaintextAuth).toBe(true);
    expect(config.mynetworks.contains('10.200.0.1')).toBe(true);
    expect(config.mynetworks.contains('2001:db8:ffff::1')).toBe(true);
    expect(config.mynetworks.contains('2001:db9::1')).toBe(false);
    expect(config.mynetworks.contains('127.0.0.1')).toBe(false);
  });

  it('empty mynetworks means nobody', () => {
    expect(parse('mynetworks: []\n').mynetworks.contains('127.0.0.1')).toBe(false);
  });

  it('reads limits, timeouts and queue retry with duration units', () => {
    const config = parse(
      'limits:\n  recipients: 50\n  messageRate: 0\n  connectionRate: 30\n  authFailureDelay: 10ms\nqueue:\n  retry:\n    first: 1m\n    max: 1h\n    lifetime: 2d\ntimeouts:\n  smtp: 600\n',
    );
    expect(config.limits.recipients).toBe(50);
    expect(config.limits.messageRate).toBe(0); // 0 = off, as in Postfix
    expect(config.limits.connectionRate).toBe(30);
    expect(config.limits.authFailureDelayMs).toBe(10);
    expect(config.queue.retry).toEqual({ firstMs: 60_000, maxMs: 3_600_000, lifetimeMs: 172_800_000 });
    expect(config.timeouts.smtpMs).toBe(600_000);
  });

  it('reads a relayhost with MX lookup and domain keys in any case', () => {
    const config = parse('relayhost: smarthost.example.test:587\ntransport:\n  Remote.Test: mx.remote.test\n');
    expect(config.relayhost).toEqual({ host: 'smarthost.example.test', port: 587, mxLookup: true });
    expect(config.transport.get('remote.test')).toEqual({ host: 'mx.remote.test', port: 25, mxLookup: true });
  });
});

describe('parseConfig: every error names the file, the line and the key', () => {
  it.each([
    ['unknown root key', 'hostname: a.test\nlimitz:\n  x: 1\n', 2, 'unknown-key', /unknown key "limitz"/],
    ['unknown nested key', 'limits:\n  messageSize: 10\n  messagesize: 10\n', 3, 'unknown-key', /unknown key "limits.messagesize"/],
    ['unknown listener', 'listen:\n  smtps: 127.0.0.1:465\n', 2, 'unknown-key', /unknown key "listen.smtps"/],
    ['unknown tls key', 'tls:\n  cert: a\n  chain: b\n', 3, 'unknown-key', /unknown key "tls.chain"/],
    ['YAML syntax', 'a: b\nc: [1, 2\nd: 3\n', 3, 'syntax', /Flow sequence/],
    ['duplicate key', 'hostname: a.test\nhostname: b.test\n', 2, 'syntax', /unique/i],
    ['not a mapping', '- a\n- b\n', 1, 'invalid-value', /the config: expected a mapping/],
    ['bad host name', 'hostname: "under_score"\n', 1, 'invalid-value', /hostname: "under_score" is not a valid host name/],
    ['domains not a list', 'domains: example.test\n', 1, 'invalid-value', /domains: expected a list/],
    ['bad domain in list', 'domains:\n  - ok.test\n  - "bad domain"\n', 3, 'invalid-value', /domains: "bad domain"/],
    ['IPv6 without brackets', 'listen:\n  smtp: "::1:2525"\n', 2, 'invalid-value', /listen.smtp: expected "host:port"/],
    ['listen without port', 'listen:\n  pop3: 127.0.0.1\n', 2, 'invalid-value', /listen.pop3: expected "host:port"/],
    ['port out of range', 'listen:\n  imap: 127.0.0.1:70000\n', 2, 'invalid-value', /bad port/],
    ['port as number', 'listen:\n  imap: 2143\n', 2, 'invalid-value', /listen.imap: expected a non-empty string, got 2143/],
    ['bad CIDR', 'mynetworks:\n  - 127.0.0.0/8\n  - 10.0.0.0/33\n', 3, 'invalid-value', /mynetworks: bad prefix length in "10.0.0.0\/33"/],
    // Postfix refuses these too: almost always a typo for the network (192.0.2.0/24).
    ['network with host bits', 'mynetworks:\n  - 192.0.2.1/24\n', 2, 'invalid-value', /mynetworks: non-null host address bits in "192.0.2.1\/24"/],
    ['not an address', 'mynetworks: [host.example/8]\n', 1, 'invalid-value', /mynetworks: bad network "host.example\/8"/],
    ['bad size', 'limits:\n  messageSize: big\n', 2, 'invalid-value', /limits.messageSize: expected an integer >= 1, got "big"/],
    ['negative rate', 'limits:\n  messageRate: -1\n', 2, 'invalid-value', /limits.messageRate: expected an integer >= 0/],
    ['zero recipients', 'limits:\n  recipients: 0\n', 2, 'invalid-value', /limits.recipients: expected an integer >= 1/],
    ['bad duration', 'timeouts:\n  smtp: 5 minutes\n', 2, 'invalid-value', /timeouts.smtp: expected a duration/],
    ['bad boolean', 'allowPlaintextAuth: "yes"\n', 1, 'invalid-value', /allowPlaintextAuth: expected true or false/],
    ['tls without key', 'tls:\n  cert: ./c.pem\n', 2, 'invalid-value', /tls.key: expected a non-empty string/],
    ['retry first > max', 'queue:\n  retry:\n    first: 2h\n    max: 1h\n', 3, 'invalid-value', /queue.retry: "first" must not exceed "max"/],
    ['unknown retry key', 'queue:\n  retry:\n    last: 1h\n', 3, 'unknown-key', /unknown key "queue.retry.last"/],
    ['bad transport domain', 'transport:\n  "a b": "[127.0.0.1]:25"\n', 2, 'invalid-value', /transport: "a b" is not a domain/],
    ['bad transport hop', 'transport:\n  remote.test: "[127.0.0.1:25"\n', 2, 'invalid-value', /transport.remote.test: expected/],
    ['YAML alias', 'x: &h mail.example.test\n', 1, 'unknown-key', /unknown key "x"/],
    ['YAML alias value', 'domains: [&d a.test]\nhostname: *d\n', 2, 'invalid-value', /hostname: expected a non-empty string, got the alias \*d/],
    ['bad relayhost', 'relayhost: "smart host"\n', 1, 'invalid-value', /relayhost: bad host/],
  ])('%s', (_name, text, line, code, message) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ name: 'ConfigError', code, file: FILE, line });
    expect(error.message.startsWith(`${FILE}:${line}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});
