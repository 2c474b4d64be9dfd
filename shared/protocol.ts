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
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
