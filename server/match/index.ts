/** The match lifecycle and the rules every game room shares, in one import for the rooms. */
export { ControlLedger, refusedControl, sameControl, steerRefusal } from './control-rules.ts';
export { Countdown, followReady, readyStep } from './countdown.ts';
export { Interventions } from './interventions.ts';
export { claimSeat, parseOptions, seatRefusal, Spectators } from './join-rules.ts';
export { MatchLifecycle } from './lifecycle.ts';
export { figure, type MatchKind, type MatchPhase } from './match-events.ts';
export { LiveCurve } from './live-curve.ts';
export { raceMatchResult, runMatch, type RaceMatchConditions, type RaceMatchEntry, type RaceMatchOutcome, type RunningRaceMatch } from './match-runner.ts';
export { announceUnlocks, attempt, storeMatch } from './match-store.ts';
export { holdSeat, RECONNECT_SECONDS } from './reconnection.ts';
export { acceptSpec, applySpec, describeSpec } from './spec-rules.ts';
