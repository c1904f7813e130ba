/** What a client exchange needs to authenticate. */

/** A user name and password, with an optional authorization identity (PLAIN, LOGIN, CRAM-MD5, SCRAM). */
export interface PasswordCredentials {
  username: string;
  password: string;
  authzid?: string;
}

/** SCRAM also needs a fresh client nonce: random printable ASCII without "," (RFC 5802 §5.1 r). */
export interface ScramClientCredentials extends PasswordCredentials {
  nonce: string;
}

/** RFC 7628 §3.1: an OAuth 2.0 bearer token and the server it is presented to. */
export interface BearerCredentials {
  token: string;
  authzid?: string;
  host?: string;
  port?: number;
}
