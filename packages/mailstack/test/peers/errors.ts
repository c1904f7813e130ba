/** Why a peer could not be used: its binary is missing, or it did not come up. */
export class PeerError extends Error {
  constructor(
    readonly code: 'missing' | 'start-failed' | 'stop-failed',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
