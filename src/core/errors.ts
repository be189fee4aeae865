// An error a kiosk handler answers with its own code (the UI shows the message as is).
export class KioskError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KioskError';
  }
}
