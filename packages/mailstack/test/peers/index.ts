// Real peers for interop tests: private Postfix, smtp-sink and Dovecot instances on 127.0.0.1,
// plus a line-oriented socket client to talk to them (or to our servers) by hand.
export { PeerError } from './errors.js';
export { LineSocket, type SmtpReplyLines } from './line-socket.js';
export { startSmtpSink, type SmtpSink, type SmtpSinkCommand, type SmtpSinkOptions } from './smtp-sink.js';
export { startPostfix, type PostfixInstance, type PostfixOptions } from './postfix.js';
export { startDovecot, type DovecotInstance, type DovecotOptions, type DovecotPorts, type DovecotUser } from './dovecot.js';
export { LOOPBACK, freePort, isListening, onFreePorts, waitForPorts } from './ports.js';
export { isAlive, processTree, processTreeCpuSeconds, runCommand, waitForExit } from './processes.js';
export { ensureSystemUser, makePeerDir, requireCommand, selfSignedCert, type CertFiles } from './system.js';
