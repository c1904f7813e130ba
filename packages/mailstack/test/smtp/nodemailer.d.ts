// The part of nodemailer's API interop.test.ts uses (nodemailer ships no types; this avoids a
// @types dependency for one test).
declare module 'nodemailer' {
  interface SentMessageInfo {
    accepted: string[];
    rejected: string[];
    response: string;
  }
  interface Transporter {
    sendMail(mail: { envelope: { from: string; to: string[] }; raw: string }): Promise<SentMessageInfo>;
    close(): void;
  }
  interface TransportOptions {
    host: string;
    port: number | undefined;
    secure: boolean;
    requireTLS?: boolean;
    name?: string;
    tls?: { rejectUnauthorized?: boolean };
    auth?: { user: string; pass: string };
  }
  const nodemailer: { createTransport(options: TransportOptions): Transporter };
  export default nodemailer;
}
