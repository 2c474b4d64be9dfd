/** Bumped whenever a room message or telemetry frame changes shape. */
export const PROTOCOL_VERSION = 1;

/** Error codes sent to clients and printed by the CLI. */
export const ErrorCode = {
  BadMessage: 'BAD_MESSAGE',
  NotAllowed: 'NOT_ALLOWED',
  WrongPhase: 'WRONG_PHASE',
  RoomFull: 'ROOM_FULL',
  SpecTooLarge: 'SPEC_TOO_LARGE',
  TrainingFailed: 'TRAINING_FAILED',
  /** The engine refused a control (the message gives its reason); it cost nothing. */
  ControlRefused: 'CONTROL_REFUSED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Server → client, in every room: something players should know that they did not ask about (e.g. a run resumed after its training thread crashed). */
export interface RoomNoticeMessage {
  message: string;
}

/** Server → client, in every room: something this client sent was refused, and why. Only the sender gets it. */
export interface RoomErrorMessage {
  code: ErrorCode;
  message: string;
  /** The payload's bad field, as a dotted path (e.g. `spec.layers.0.units`). */
  field?: string;
  /** The message type that was refused. */
  about?: string;
}
