/** Raised when a control cannot apply to a run; the message says why. Nothing was changed. */
export class ControlError extends Error {
  readonly code = 'CONTROL_REFUSED' as const;
}
